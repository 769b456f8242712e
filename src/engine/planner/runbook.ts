/**
 * Outlines for checklist and runbook goals: a Markdown skeleton chosen by topic (deploy,
 * incident, onboarding, generic), titled after the goal. Deterministic text only.
 */

export interface RunbookOutline {
  /** What the document is called in labels: `runbook` or `checklist`. */
  noun: 'runbook' | 'checklist';
  fileName: string;
  markdown: string;
}

interface Topic {
  test: RegExp;
  sections: [string, string[]][];
}

const TOPICS: Topic[] = [
  {
    test: /\b(deploy\w*|release\w*|rollout|roll out|ship|launch|upgrade|migrat\w*)\b/,
    sections: [
      ['Before', ['Announce the change window to the team and stakeholders', 'Confirm CI is green on the commit being deployed', 'Review the changelog and open risks', 'Take a backup / snapshot of data that the change touches', 'Check that the rollback procedure below has been tested']],
      ['Deploy', ['Freeze unrelated merges', 'Deploy to staging and run the smoke tests', 'Deploy to production (canary first where possible)', 'Watch error rate, latency and saturation dashboards for 15 minutes']],
      ['Verify', ['Run the production smoke tests', 'Check logs for new errors', 'Confirm key user journeys work', 'Record the deployed version']],
      ['Rollback', ['Rollback criteria: error rate or latency above the agreed threshold, or a failed smoke test', 'Redeploy the previous version', 'Restore data from the backup if a migration ran', 'Tell the team and open an incident if users were affected']],
      ['After', ['Announce completion', 'Close the change ticket', 'Note anything to improve in this runbook']],
    ],
  },
  {
    test: /\b(roll ?backs?|roll(?:ing)? back|revert\w*|undo)\b/,
    sections: [
      ['Decide', ['Confirm the symptoms and that the last change is the likely cause', 'Agree the rollback with the service owner and name who runs it', 'Announce the rollback to the team']],
      ['Prepare', ['Identify the last known good version', 'Check that data changed since then (migrations, queued messages) can be undone or is compatible', 'Have the commands ready (see the commands from the notes, when there are notes)']],
      ['Roll back', ['Redeploy or re-point traffic to the last known good version', 'Undo the data changes that need it', 'Watch error rate and latency until they are back to normal']],
      ['Verify', ['Run the smoke tests', 'Confirm the key user journeys work', 'Check logs for new errors']],
      ['After', ['Tell the team and affected users', 'Open a follow-up for the root cause', 'Update this runbook']],
    ],
  },
  {
    test: /\b(incident|outage|on-?call|pager|postmortem|post-mortem|escalat\w*)\b/,
    sections: [
      ['Detect', ['Acknowledge the alert', 'Confirm user impact and its scope']],
      ['Triage', ['Assign an incident lead and a communicator', 'Open an incident channel and a timeline', 'Classify severity']],
      ['Mitigate', ['Roll back recent changes if they correlate', 'Apply the known workaround', 'Scale or fail over if capacity is the cause']],
      ['Communicate', ['Post a status update every 30 minutes', 'Notify affected customers when severity requires it']],
      ['Resolve', ['Confirm metrics are back to normal', 'Close the incident', 'Schedule a blameless postmortem within five working days']],
    ],
  },
  {
    test: /\b(onboard\w*|new (?:hire|joiner|engineer|employee)|first (?:day|week))\b/,
    sections: [
      ['Before day one', ['Create accounts (email, chat, code hosting, CI)', 'Order hardware', 'Pick an onboarding buddy']],
      ['First day', ['Welcome meeting', 'Set up the development environment', 'Read the team handbook']],
      ['First week', ['Ship a small first change', 'Meet the people they will work with', 'Agree goals for the first month']],
    ],
  },
];

const GENERIC: [string, string[]][] = [
  ['Prepare', ['State the objective and the definition of done', 'List what is needed (people, access, tools)', 'Identify risks and who to ask for help']],
  ['Do', ['Carry out the work in small, checkable steps', 'Record what was done and when']],
  ['Check', ['Verify the result against the definition of done', 'Get a second person to review']],
  ['Finish', ['Communicate the outcome', 'Archive notes and update this checklist']],
];

export function runbookOutline(goal: string): RunbookOutline {
  const lower = goal.toLowerCase();
  const noun: RunbookOutline['noun'] = /\b(runbook|run book|playbook|procedure|sop)\b/.test(lower) ? 'runbook' : 'checklist';
  const sections = TOPICS.find((t) => t.test.test(lower))?.sections ?? GENERIC;
  const title = goal.trim().replace(/\s+/g, ' ').replace(/[.!?]+$/, '');
  const body = sections.map(([heading, items]) => `## ${heading}\n\n${items.map((i) => `- [ ] ${i}`).join('\n')}`).join('\n\n');
  const markdown = `# ${title.charAt(0).toUpperCase()}${title.slice(1)}\n\nOwner: _name_ · Date: _date_\n\n${body}\n`;
  return { noun, fileName: `${noun}.md`, markdown };
}
