/** The header's answer to "whose engine am I on?": Local, or the team server, with the one-click way back. */
import { chooseEngine, engineChoice, engineLabel } from '../api/engine-choice';
import { uiStore } from '../app/stores';

export function EngineBadge() {
  const choice = engineChoice();
  const label = engineLabel(choice);
  return (
    <>
      <button
        type="button"
        className={`btn ghost engine-btn${choice.kind === 'team' ? ' is-team' : ''}`}
        aria-label={`Engine: ${choice.kind === 'local' ? 'local' : `team server ${label}`}`}
        title={choice.kind === 'local' ? 'Runs on this machine. Settings → Servers attaches to a team server.' : `Runs on the team server ${choice.url}`}
        onClick={() => uiStore.getState().openDialog('settings')}
      >
        <span className="engine-dot" aria-hidden />
        {/* A team server shows its host (the accent dot marks it remote); the name and title say "team server". */}
        <span className="engine-name">{label}</span>
      </button>
      {choice.kind === 'team' && (
        <button type="button" className="icon-btn" aria-label="Use local engine" title="Back to the local engine (this machine)" onClick={() => chooseEngine(null)}>
          ⏏
        </button>
      )}
    </>
  );
}
