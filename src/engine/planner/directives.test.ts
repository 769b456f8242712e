import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../../tests/support/catalog';
import { readDirectives, type RowFilter } from './directives';
import { cleanCsv, cleanJson } from './expressions';
import { readGoal } from './goal';
import { planOffline } from './offline';

const read = (goal: string) => {
  const r = readGoal(goal);
  return readDirectives(goal, { path: r.path, url: r.url });
};
const filtersOf = (goal: string) => read(goal).filters.map(({ keep, test }) => ({ keep, test }));

describe('readDirectives: output format', () => {
  it.each([
    ['clean q3-sales.csv, drop rows without an amount, save as JSON', 'json'],
    ['Convert data.json to CSV', 'csv'],
    ['clean data.csv and export it as a markdown table', 'markdown'],
    ['Transform records.json; write the result in plain text', 'text'],
    ['clean data.csv, as JSON', 'json'],
    ['Clean data.csv. Save it as md.', 'markdown'],
  ])('%s → %s', (goal, format) => {
    expect(read(goal).format?.format).toBe(format);
  });

  it('does not take a file type named in passing for the output format', () => {
    for (const goal of ['Clean records.json', 'Index the json files in docs/', 'read the CSV in data/ and clean it', 'Summarise https://example.com/a.json into a report']) {
      expect(read(goal).format, goal).toBeUndefined();
    }
  });
});

describe('readDirectives: row filters', () => {
  it('reads drop and keep phrases into typed conditions', () => {
    expect(filtersOf('clean q3-sales.csv, drop rows without an amount')).toEqual([{ keep: false, test: { op: 'missing', field: 'amount' } }]);
    expect(filtersOf('clean q3-sales.csv, remove records with a missing amount')).toEqual([{ keep: false, test: { op: 'missing', field: 'amount' } }]);
    expect(filtersOf('clean q3-sales.csv, delete rows where the amount is empty')).toEqual([{ keep: false, test: { op: 'missing', field: 'amount' } }]);
    expect(filtersOf('clean q3-sales.csv, keep rows with an amount')).toEqual([{ keep: true, test: { op: 'present', field: 'amount' } }]);
    expect(filtersOf('clean q3-sales.csv, keep only rows whose email is not blank')).toEqual([{ keep: true, test: { op: 'present', field: 'email' } }]);
    expect(filtersOf('clean q3-sales.csv, only rows where region is "North West"')).toEqual([{ keep: true, test: { op: 'compare', field: 'region', cmp: '=', value: 'North West' } }]);
    expect(filtersOf('clean q3-sales.csv and remove rows where amount is below 10')).toEqual([{ keep: false, test: { op: 'compare', field: 'amount', cmp: '<', value: 10 } }]);
    expect(filtersOf('clean q3-sales.csv; keep entries with amount >= 2.5')).toEqual([{ keep: true, test: { op: 'compare', field: 'amount', cmp: '>=', value: 2.5 } }]);
    expect(filtersOf('clean q3-sales.csv, drop rows where `unit price` is not set')).toEqual([{ keep: false, test: { op: 'missing', field: 'unit price' } }]);
    expect(filtersOf('drop rows without an amount from q3-sales.csv')).toEqual([{ keep: false, test: { op: 'missing', field: 'amount' } }]);
  });

  it('does not misread "without", "with" or "only" in other senses', () => {
    for (const goal of [
      'Clean data.csv without changing the header',
      'Summarise https://example.com/post without a model',
      'Write a runbook for the billing cutover, without the marketing steps',
      'clean data.csv, only trim the values',
      'Index the files with a title in docs/',
      'Review src/app.ts with an eye on error handling',
    ]) {
      expect(read(goal).filters, goal).toEqual([]);
    }
  });

  it('an ordering of words ("where region is above north") is not understood, and said so', () => {
    const d = read('clean sales.csv, drop rows where region is above north');
    expect(d.filters).toEqual([]);
    expect(d.unknown).toEqual(['drop rows where region is above north']);
  });
});

describe('readDirectives: what it does not understand', () => {
  it('returns the later clauses no grammar accepted, as written', () => {
    expect(read('clean data.csv, drop rows without an amount, sort by date, save as JSON').unknown).toEqual(['sort by date']);
    expect(read('clean data.csv, remove rows without changing the order').unknown).toEqual(['remove rows without changing the order']);
    expect(read('Index the markdown files in docs/, grouped by author').unknown).toEqual(['grouped by author']);
  });

  it('accepts approval requests, plain cleaning and politeness without a note', () => {
    for (const goal of [
      'Draft a rollback runbook for the orders service and ask me before saving',
      'Write a runbook for the billing cutover; check with me first',
      'Clean up data/customers.csv and remove duplicates',
      'Transform records.json: normalise the entries',
      'Summarise https://a.example/x, please',
      'Review src/server.ts and write up the findings',
    ]) {
      expect(read(goal).unknown, goal).toEqual([]);
    }
  });

  it('reads the subject a runbook is about', () => {
    expect(read('Draft a rollback runbook for the orders service and ask me before saving').subject).toBe('orders service');
    expect(read('Write an onboarding checklist for new engineers').subject).toBeUndefined();
  });
});

describe('the plan says what it did not apply', () => {
  const catalog = builtinCatalog();
  it('an unknown clause, a filter outside data cleaning and a format a kind cannot write are named in the explanation', () => {
    expect(planOffline('clean data.csv, sort by date', catalog).explanation).toContain('did not understand "sort by date"');
    expect(planOffline('Index the markdown files in docs/, drop rows without an amount', catalog).explanation).toContain(
      'The goal asks to drop rows without amount; the offline planner filters rows only when it cleans a CSV or JSON file',
    );
    expect(planOffline('Review src/app.ts and save the findings as CSV', catalog).explanation).toContain('The goal asks for csv');
  });
});

describe('clean expressions apply the filters', () => {
  const drop: RowFilter = { keep: false, test: { op: 'missing', field: 'Amount' }, phrase: '' };
  it('CSV: blank words count as no value; the field name is matched case-insensitively', async () => {
    const out = await jsonata(cleanCsv({ filters: [drop] })).evaluate({ text: 'name,AMOUNT\na,1\nb,\nc,N/A\nd,null\ne,0\nf\n' });
    expect(out.rows).toEqual([
      { name: 'a', AMOUNT: 1 },
      { name: 'e', AMOUNT: 0 },
    ]);
    expect(out.removed).toBe(4);
  });

  it('without filters the expressions are the generic cleaning they were', async () => {
    const csv = await jsonata(cleanCsv()).evaluate({ text: 'a,b\n1,2\n\n1,2\n' });
    expect(csv).toEqual({ rows: [{ a: 1, b: 2 }], removed: 1, csv: 'a,b\n1,2\n' });
    const json = await jsonata(cleanJson()).evaluate({ text: '{"a":" x "}' });
    expect(json.data).toEqual({ a: 'x' });
  });
});
