/** The interviewer's tile: an animated orb whose motion follows the agent's state and voice. */
export function Orb(props: { state: string; speaking: boolean; present: boolean }) {
  const mode = !props.present ? 'absent' : props.speaking ? 'speaking' : props.state || 'listening';
  return (
    <div className={`orb-tile orb-${mode}`}>
      <div className="orb" aria-hidden="true">
        <span className="orb-core" />
        <span className="orb-ring" />
      </div>
    </div>
  );
}
