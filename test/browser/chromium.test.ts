import fc from 'fast-check';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFor, POLICY } from '../../bench/bundle/build.js';
import { ValidationError } from '../../src/errors/index.js';
import { type DecisionInput, decide, explain, whatCan } from '../../src/policy/index.js';
import { decisionRequestArb, rulePackArb, worldArb } from '../../src/testing/index.js';
import { launchChromium } from './chromium.js';

/** The generated cases: a pack, an actor of a random world, and a request for them. */
const casesArb = fc
  .tuple(worldArb(), rulePackArb())
  .chain(([world, pack]) =>
    fc
      .nat(world.actors.length - 1)
      .chain((i) =>
        decisionRequestArb(world, world.actors[i]!.uuid).map(
          (request): DecisionInput => ({ pack, actor: world.actors[i]!, ...request }),
        ),
      ),
  );

/** What the browser's `window.careidPolicy` is: the bundle's three functions. */
interface InBrowser {
  decide: typeof decide;
  whatCan: typeof whatCan;
  explain: typeof explain;
}

/** An answer both sides give as plain JSON: a decision and its text, or the error's code and field. */
type Answer =
  | { readonly decision: unknown; readonly text: string; readonly can: readonly string[] }
  | { readonly error: string; readonly field: string };

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
  const bundle = await bundleFor(POLICY, ['decide', 'whatCan', 'explain'], {
    format: 'iife',
    globalName: 'careidPolicy',
  });
  await page.setContent('<!doctype html><title>careid policy</title>');
  await page.addScriptTag({ content: bundle.code });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

/** The answer to one input, by whichever `decide`/`whatCan`/`explain` is given (the same code runs in the page). */
function answer(policy: InBrowser, input: DecisionInput): Answer {
  try {
    const decision = policy.decide(input);
    const { actor, pack, at, target, facts } = input;
    const can = policy
      .whatCan(actor, target ?? {}, { at, ...(pack ? { pack } : {}), ...(facts ? { facts } : {}) })
      .map((c) => `${c.activity}:${c.route}`);
    return { decision: JSON.parse(JSON.stringify(decision)), text: policy.explain(decision), can };
  } catch (error) {
    const e = error as { code?: string; field?: string; name?: string };
    return { error: `${e.name}:${e.code}`, field: e.field ?? '' };
  }
}

describe('careid/policy bundled for the browser, run in headless Chromium', () => {
  it('ROLE-01..03, SOD-01..06, CARD-01..07 decides, lists what an actor can do and explains exactly as Node does, on generated inputs', async () => {
    const inputs = fc.sample(casesArb, { numRuns: 300, seed: 15 });
    // The inputs cross into the page as JSON, as a front end's data would.
    const plain = JSON.parse(JSON.stringify(inputs)) as DecisionInput[];
    const inPage = await page.evaluate(
      ([cases, source]) => {
        const policy = (globalThis as unknown as { careidPolicy: unknown }).careidPolicy;
        const run = new Function('policy', 'input', `return (${source})(policy, input);`);
        return cases.map((input) => run(policy, input));
      },
      [plain, answer.toString()] as const,
    );
    const inNode = plain.map((input) => answer({ decide, whatCan, explain }, input));
    expect(inPage).toHaveLength(inNode.length);
    expect(inPage).toEqual(inNode);
    // The cases are not all alike: allowed, denied and forbidden decisions all occur.
    const decisions = inNode.flatMap((a) =>
      'decision' in a ? [a.decision as { allowed: boolean }] : [],
    );
    expect(decisions.some((d) => d.allowed)).toBe(true);
    expect(decisions.some((d) => !d.allowed)).toBe(true);
  });

  it('bad input is refused in the browser with a ValidationError naming the field, as in Node', async () => {
    const bad = [
      {
        actor: { uuid: '12', assignments: [] },
        activity: 'user.find',
        at: '2026-11-22T10:00:00.000Z',
      },
      {
        actor: { uuid: '100000000001', assignments: [] },
        activity: 'user.teleport',
        at: '2026-11-22T10:00:00.000Z',
      },
      { actor: { uuid: '100000000001', assignments: [] }, activity: 'user.find', at: '22/11/2026' },
      {
        actor: { uuid: '100000000001', assignments: [] },
        activity: 'smartcard.unlock',
        at: '2026-11-22T10:00:00.000Z',
        target: { card: { serial: '12', status: 'locked' } },
      },
    ];
    const inPage = await page.evaluate((cases) => {
      const policy = (globalThis as unknown as { careidPolicy: InBrowser }).careidPolicy;
      return cases.map((input) => {
        try {
          policy.decide(input as never);
          return 'allowed through';
        } catch (error) {
          const e = error as { name: string; code: string; field: string };
          return `${e.name} ${e.code} ${e.field}`;
        }
      });
    }, bad);
    expect(inPage).toEqual([
      'ValidationError VALIDATION actor.uuid',
      'ValidationError VALIDATION activity',
      'ValidationError VALIDATION at',
      'ValidationError VALIDATION target.card.serial',
    ]);
    for (const input of bad) expect(() => decide(input as never)).toThrow(ValidationError);
  });
});
