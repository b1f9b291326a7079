import { useEffect, useState } from 'react';
import { inviteFromLocation, type ConsentChoice, type InviteDetails } from './api';
import { Landing } from './pages/Landing';
import { Consent } from './pages/Consent';
import { InterviewRoom } from './pages/InterviewRoom';
import { DeviceCheck, type ChosenDevices } from './pages/DeviceCheck';
import { EndScreen, type EndReason } from './pages/EndScreen';

type Step =
  | { name: 'landing' }
  | { name: 'devices'; details: InviteDetails }
  | { name: 'consent'; details: InviteDetails; devices: ChosenDevices }
  | { name: 'room'; details: InviteDetails; devices: ChosenDevices }
  | { name: 'ended'; reason: EndReason };

/** The candidate's path from the invite link: landing → consent → interview room → end screen. */
export function CandidateApp() {
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
          <Landing invite={invite} onContinue={(details) => setStep({ name: 'devices', details })} />
        )}
        {step.name === 'devices' && (
          <DeviceCheck
            onBack={() => setStep({ name: 'landing' })}
            onContinue={(devices) => setStep({ name: 'consent', details: step.details, devices })}
          />
        )}
        {step.name === 'consent' && invite && (
          <Consent
            invite={invite}
            details={step.details}
            onBack={() => setStep({ name: 'devices', details: step.details })}
            onJoin={(consent: ConsentChoice | null) =>
              setStep({ name: 'room', details: { ...step.details, consent }, devices: step.devices })
            }
          />
        )}
        {step.name === 'room' && invite && (
          <InterviewRoom
            invite={invite}
            details={step.details}
            devices={step.devices}
            onEnd={(reason) => setStep({ name: 'ended', reason })}
          />
        )}
        {step.name === 'ended' && <EndScreen reason={step.reason} />}
      </main>
    </div>
  );
}
