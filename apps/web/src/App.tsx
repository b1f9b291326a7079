import { useEffect, useState } from 'react';
import { inviteFromLocation, type ConsentChoice, type InviteDetails } from './api';
import { Landing } from './pages/Landing';
import { Consent } from './pages/Consent';
import { InterviewRoom } from './pages/InterviewRoom';
import { EndScreen, type EndReason } from './pages/EndScreen';

type Step =
  | { name: 'landing' }
  | { name: 'consent'; details: InviteDetails }
  | { name: 'room'; details: InviteDetails }
  | { name: 'ended'; reason: EndReason };

/** The candidate's path from the invite link: landing → consent → interview room → end screen. */
export function App() {
  const [invite, setInvite] = useState(() => inviteFromLocation());
  const [step, setStep] = useState<Step>({ name: 'landing' });

  useEffect(() => {
    const onHash = () => {
      setInvite(inviteFromLocation());
      setStep({ name: 'landing' });
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  // Each step moves focus to its heading, so keyboard and screen-reader users land on the new page.
  useEffect(() => {
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [step.name]);

  return (
    <div className="app">
      <header className="brand" aria-label="Parley">
        <span className="brand-mark" aria-hidden="true" />
        Parley
      </header>
      <main>
        {step.name === 'landing' && (
          <Landing invite={invite} onContinue={(details) => setStep({ name: 'consent', details })} />
        )}
        {step.name === 'consent' && invite && (
          <Consent
            invite={invite}
            details={step.details}
            onBack={() => setStep({ name: 'landing' })}
            onJoin={(consent: ConsentChoice | null) => setStep({ name: 'room', details: { ...step.details, consent } })}
          />
        )}
        {step.name === 'room' && invite && (
          <InterviewRoom
            invite={invite}
            details={step.details}
            onEnd={(reason) => setStep({ name: 'ended', reason })}
          />
        )}
        {step.name === 'ended' && <EndScreen reason={step.reason} />}
      </main>
    </div>
  );
}
