import { type ActorInput, type TargetInput, whatCan } from 'careid/policy';
import {
  authenticationJsonOf,
  creationOptionsOf,
  registrationJsonOf,
  requestOptionsOf,
} from './webauthn.js';

// The desk's page: plain DOM, careid/policy for the buttons, careid/http (under /ra) and
// the desk's own routes (/desk) for everything else. The server decides every command;
// what the page computes here only chooses which buttons to show.

interface ErrorJson {
  readonly code: string;
  readonly message: string;
  readonly decision?: { readonly reasons: readonly { rule: string; message: string }[] };
}
interface UserSummary {
  readonly uuid: string;
  readonly name: { readonly given: string; readonly family: string };
  readonly status: 'open' | 'closed';
  readonly identityChecked: boolean;
  readonly niNumber?: string;
}
interface Assignment {
  readonly position: string;
  readonly organisation: string;
  readonly start: string;
  readonly end?: string;
  readonly state: string;
}
interface Card {
  readonly serial: string;
  readonly status: 'stock' | 'issued' | 'locked' | 'needs-repair' | 'cancelled';
  readonly holder?: string;
  readonly certificatesExpireOn?: string;
  readonly selfRenewalCount: number;
}
interface RequestItem {
  readonly id: string;
  readonly kind: string;
  readonly state: string;
  readonly requestedBy: string;
  readonly subject?: string;
  readonly organisation: string;
  readonly payload: Readonly<Record<string, unknown>>;
}
/** An authenticator as careid's `authenticator.find` query lists it (the fields the page reads). */
interface ListedAuthenticator {
  readonly id: string;
  readonly kind: string;
  readonly label: string;
  readonly route: string;
  readonly credential?: { readonly id: string; readonly transports: readonly string[] };
}
interface ReaderState {
  readonly present: boolean;
  readonly serial?: string;
  readonly holder?: string;
  readonly triesLeft?: number;
}
interface Page<T> {
  readonly items: readonly T[];
}

class DeskError extends Error {
  constructor(readonly json: ErrorJson) {
    super(json.message);
  }
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} is missing`);
  return el as T;
};
const input = (id: string) => $<HTMLInputElement>(id);
const show = (id: string, visible: boolean) => {
  $(id).hidden = !visible;
};

async function call<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const answer = (await res.json()) as unknown;
  if (!res.ok) throw new DeskError(answer as ErrorJson);
  return answer as T;
}
const query = <T>(type: string, body: object) => call<Page<T>>(`/ra/queries/${type}`, body);
const command = <T>(type: string, body: object) => call<T>(`/ra/commands/${type}`, body);

/** A refusal: every reason with its rule ID and sentence, or the error's code and message. */
function refusal(error: unknown) {
  show('notice', false);
  const box = $('denial');
  box.replaceChildren();
  if (error instanceof DeskError && error.json.decision !== undefined) {
    for (const r of error.json.decision.reasons) {
      const line = document.createElement('p');
      line.className = 'reason';
      line.dataset['rule'] = r.rule;
      line.textContent = `${r.rule}: ${r.message}`;
      box.append(line);
    }
  } else {
    const line = document.createElement('p');
    line.textContent =
      error instanceof DeskError ? `${error.json.code}: ${error.json.message}` : String(error);
    box.append(line);
  }
  box.hidden = false;
}
function notice(message: string) {
  show('denial', false);
  $('notice').textContent = message;
  show('notice', true);
}
/** Runs an action from a button: its refusal, if any, shown on the page. */
const act = (fn: () => Promise<void>) => () => {
  fn().catch(refusal);
};

let actor: ActorInput | undefined;
let me = '';
let user: UserSummary | undefined;
let userPath: string[] = [];
let userCards: Card[] = [];
let userAuthenticators: readonly ListedAuthenticator[] = [];
let reader: ReaderState = { present: false };
const names = new Map<string, string>();

const nameOf = (u: UserSummary) => `${u.name.given} ${u.name.family}`;
const now = () => new Date().toISOString();

/** What the signed-in actor may do on a target, decided here in the browser. */
function can(target: TargetInput, facts: Record<string, unknown> = {}): Set<string> {
  if (actor === undefined) return new Set();
  return new Set(whatCan(actor, target, { at: now(), facts }).map((c) => c.activity));
}

/** An organisation and its ancestors, as far as the actor may see them. */
async function pathOf(code: string): Promise<string[]> {
  const path: string[] = [];
  let next: string | undefined = code;
  while (next !== undefined && !path.includes(next)) {
    path.push(next);
    const found: Page<{ parent?: string }> = await query('organisation.find', { code: next });
    next = found.items[0]?.parent;
  }
  return path;
}

function row(cells: readonly string[], extra?: HTMLElement): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    td.textContent = c;
    tr.append(td);
  }
  if (extra) {
    const td = document.createElement('td');
    td.append(extra);
    tr.append(td);
  }
  return tr;
}

async function signIn(uuid: string) {
  await call('/desk/sign-in', { uuid });
  await start();
}

async function start() {
  actor = await call<ActorInput>('/ra/actor');
  me = actor.uuid;
  $('me').textContent = `${names.get(me) ?? me} (${me})`;
  show('sign-in', false);
  show('session', true);
  show('find', true);
  show('reader', true);
  await Promise.all([loadRequests(), loadReports(), loadReader()]);
}

async function find() {
  const found = await query<UserSummary>('user.find', {
    name: { family: input('find-name').value },
  });
  const list = $('results');
  list.replaceChildren();
  for (const u of found.items) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset['uuid'] = u.uuid;
    b.textContent = `${nameOf(u)} (${u.uuid})`;
    b.addEventListener(
      'click',
      act(() => openProfile(u.uuid)),
    );
    li.append(b);
    list.append(li);
  }
  if (found.items.length === 0) list.textContent = 'Nobody found in your scope.';
}

async function openProfile(uuid: string) {
  // data-loaded names the profile once everything on it is drawn (tests wait for it).
  delete $('profile').dataset['loaded'];
  const found = await query<UserSummary>('user.find', { uuid });
  user = found.items[0];
  if (user === undefined) throw new Error(`${uuid} is not in your scope`);
  names.set(user.uuid, nameOf(user));
  $('profile-name').textContent = nameOf(user);
  $('profile-uuid').textContent = user.uuid;
  $('profile-status').textContent = user.status;
  const history = await query<Assignment>('assignment.view-history', { user: uuid }).catch(
    () => ({ items: [] }) as Page<Assignment>,
  );
  const positions = $('positions');
  positions.replaceChildren(
    ...history.items.map((a) => row([a.position, a.organisation, a.start, a.end ?? '', a.state])),
  );
  const workplace = history.items.find((a) => a.state === 'active')?.organisation;
  userPath = workplace === undefined ? [] : await pathOf(workplace);
  $('profile-org').textContent = userPath.join(' < ') || 'nowhere yet';
  userCards = [...(await query<Card>('smartcard.find', { holder: uuid })).items];
  $('cards').replaceChildren(
    ...userCards.map((c) => row([c.serial, c.status, c.certificatesExpireOn ?? ''])),
  );
  await loadAuthenticators();
  await positionChoices();
  // The reader's state draws the profile's buttons: shown only once they are drawn, so a
  // profile on screen never offers what whatCan has not yet decided.
  await loadReader();
  show('profile', true);
  $('profile').dataset['loaded'] = uuid;
}

/** The profile's authenticators in force, WebAuthn ones with their credential's transports. */
async function loadAuthenticators() {
  if (user === undefined) return;
  userAuthenticators = (await query<ListedAuthenticator>('authenticator.find', { user: user.uuid }))
    .items;
  authenticatorRows();
}

/** The activity of registering or removing a kind on the profile on screen (AUTH-01/AUTH-02). */
const authenticatorActivity = (kind: string) =>
  user?.uuid === me ? `authenticator.self-register-${kind}` : `authenticator.manage-${kind}`;

/** The authenticators' rows, each with Remove where whatCan allows it. */
function authenticatorRows() {
  const allowed = can(profileTarget(), { userPresent: input('user-present').checked });
  $('authenticators').replaceChildren(
    ...userAuthenticators.map((a) => {
      let remove: HTMLButtonElement | undefined;
      if (allowed.has(authenticatorActivity(a.kind))) {
        remove = document.createElement('button');
        remove.type = 'button';
        remove.className = 'remove';
        remove.textContent = 'Remove';
        remove.addEventListener(
          'click',
          act(async () => {
            await command('authenticator.remove', {
              authenticator: a.id,
              userPresent: input('user-present').checked,
            });
            await loadAuthenticators();
            notice(`${a.label} removed.`);
          }),
        );
      }
      const tr = row(
        [
          a.kind,
          a.label,
          a.route === 'self' ? 'by the user' : 'by the RA',
          a.credential ? `WebAuthn (${a.credential.transports.join(', ') || 'no transports'})` : '',
        ],
        remove,
      );
      tr.dataset['authenticator'] = a.id;
      if (a.credential) tr.dataset['credential'] = a.credential.id;
      return tr;
    }),
  );
}

/**
 * AUTH-01/AUTH-02/AUTH-03: registers a security key on the profile on screen: careid/http
 * gives the options, the browser makes the credential (the user touches the key), careid
 * verifies its attestation and stores it.
 */
async function registerKey() {
  if (user === undefined) return;
  const label = input('key-label');
  const begun = await call<{ options: PublicKeyCredentialCreationOptionsJSON }>(
    '/ra/webauthn/registration/options',
    {
      ...(user.uuid === me ? {} : { user: user.uuid }),
      kind: 'security-key',
      label: label.value,
      userPresent: input('user-present').checked,
    },
  );
  notice('Touch the security key...');
  const credential = await navigator.credentials.create({
    publicKey: creationOptionsOf(begun.options),
  });
  if (!(credential instanceof PublicKeyCredential)) throw new Error('The browser made no key.');
  const done = await call<{ authenticator: { label: string } }>(
    '/ra/webauthn/registration/verify',
    { response: registrationJsonOf(credential) },
  );
  label.value = '';
  await loadAuthenticators();
  notice(`Security key ${done.authenticator.label} registered.`);
}

/** AUTH-03: signs in with a security key: careid verifies the assertion, the desk the session. */
async function signInWithKey() {
  const begun = await call<{ options: PublicKeyCredentialRequestOptionsJSON }>(
    '/ra/webauthn/authentication/options',
    {},
  );
  const credential = await navigator.credentials.get({
    publicKey: requestOptionsOf(begun.options),
  });
  if (!(credential instanceof PublicKeyCredential)) throw new Error('The browser signed nothing.');
  await call('/desk/sign-in/webauthn', { response: authenticationJsonOf(credential) });
  await start();
}

/** The positions a form offers: the organisation's, or a sponsor's assignable list. */
async function positionChoices() {
  const list = $('position-list');
  list.replaceChildren();
  const org = userPath[0];
  if (org === undefined) return;
  let ids: string[] = [];
  if (can({ organisationPath: userPath }).has('position.find')) {
    ids = (await query<{ id: string }>('position.find', { organisation: org })).items.map(
      (p) => p.id,
    );
  } else {
    ids = actor?.assignments.flatMap((a) => [...(a.assignable ?? [])]) ?? [];
  }
  for (const id of ids) {
    const option = document.createElement('option');
    option.value = id;
    list.append(option);
  }
}

/** The user on screen at their organisation, as whatCan takes a target. */
function profileTarget(): TargetInput {
  if (user === undefined) return {};
  return {
    ...(userPath.length > 0 ? { organisationPath: userPath } : {}),
    user: {
      uuid: user.uuid,
      status: user.status,
      identityChecked: user.identityChecked,
      hasNiNumber: user.niNumber !== undefined,
    },
  };
}

/** The profile's buttons, from whatCan in the browser on the user at their organisation. */
function profileButtons() {
  if (user === undefined) return;
  const target = profileTarget();
  const allowed = can(target, { userPresent: input('user-present').checked });
  show('assign-form', allowed.has('assignment.assign'));
  show('raise-form', allowed.has('request.overview') && user.uuid !== me);
  // AUTH-01 on one's own profile, AUTH-02 (the user present) on another's; AUTH-03 needs a
  // browser with WebAuthn.
  show(
    'key-form',
    allowed.has(authenticatorActivity('security-key')) && 'PublicKeyCredential' in window,
  );
  authenticatorRows();
  // A card is issued from the blank card in the reader.
  show('issue-form', allowed.has('smartcard.issue') && reader.present && !reader.holder);
}

/** The reader's buttons: unlock when the card in it is blocked and the actor may unlock it. */
function readerButtons() {
  const record = userCards.find((c) => c.serial === reader.serial);
  let allowed = new Set<string>();
  if (user !== undefined && record !== undefined && reader.holder === user.uuid) {
    allowed = can(
      {
        ...(userPath.length > 0 ? { organisationPath: userPath } : {}),
        user: { uuid: user.uuid, status: user.status },
        card: {
          serial: record.serial,
          // The card's real state: a blocked passcode is a locked card (CARD-12).
          status: reader.triesLeft === 0 ? 'locked' : record.status,
          holder: user.uuid,
          ...(record.certificatesExpireOn
            ? { certificatesExpireOn: record.certificatesExpireOn }
            : {}),
          selfRenewalCount: record.selfRenewalCount,
        },
      },
      { userPresent: input('user-present').checked },
    );
  }
  // Unlocking is for a blocked passcode; the policy decides who may, with the user present.
  show('unlock-form', allowed.has('smartcard.unlock') && reader.triesLeft === 0);
}

async function loadReader() {
  reader = await call<ReaderState>('/desk/reader');
  $('reader-state').textContent = !reader.present
    ? 'No card in the reader.'
    : `Card ${reader.serial}, ${reader.holder ? `holder ${reader.holder}` : 'blank'}, ${
        reader.triesLeft === 0
          ? 'passcode blocked'
          : `${reader.triesLeft ?? '?'} passcode tries left`
      }`;
  $('reader-state').dataset['triesLeft'] = String(reader.triesLeft ?? '');
  profileButtons();
  readerButtons();
}

async function loadRequests() {
  if (actor === undefined || !can({}).has('request.overview')) {
    show('requests-panel', false);
    return;
  }
  const listed = (await call<Page<RequestItem>>('/ra/queries/request.list', {})).items;
  const rows: HTMLTableRowElement[] = [];
  for (const r of listed) {
    const path = await pathOf(r.organisation);
    const activity = r.kind === 'position-assignment' ? 'assignment.assign' : undefined;
    const allowed =
      r.state === 'open'
        ? can(
            {
              organisationPath: path,
              ...(r.subject ? { user: { uuid: r.subject } } : {}),
              request: { id: r.id, ...(r.subject ? { subject: r.subject } : {}) },
            },
            { requestedBy: r.requestedBy },
          )
        : new Set<string>();
    let button: HTMLElement | undefined;
    if (activity !== undefined && allowed.has(activity)) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'accept';
      b.textContent = 'Accept';
      b.addEventListener(
        'click',
        act(async () => {
          await command('request.accept', { request: r.id });
          await loadRequests();
          if (user !== undefined) await openProfile(user.uuid);
          notice(`Request ${r.id} accepted.`);
        }),
      );
      button = b;
    }
    const about = `${r.subject ?? ''} ${String(r.payload['position'] ?? '')}`.trim();
    const tr = row([r.id, r.kind, about, r.requestedBy, r.state], button);
    tr.dataset['request'] = r.id;
    rows.push(tr);
  }
  $('requests').replaceChildren(...rows);
  show('requests-panel', true);
}

async function loadReports() {
  const reports = await call<{ id: string; title: string }[]>('/ra/reports').catch(() => []);
  const select = $<HTMLSelectElement>('report');
  select.replaceChildren(
    ...reports.map((r) => {
      const option = document.createElement('option');
      option.value = r.id;
      option.textContent = r.title;
      return option;
    }),
  );
  show('reports-panel', reports.length > 0);
}

async function exportReport() {
  const id = $<HTMLSelectElement>('report').value;
  const res = await fetch(`/ra/reports/${id}/export`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  if (!res.ok) throw new DeskError((await res.json()) as ErrorJson);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await res.blob());
  link.download = `${id}.csv`;
  link.click();
  URL.revokeObjectURL(link.href);
  notice(`Exported ${id}.csv`);
}

/** A card operation: its progress as the server's events arrive, then its outcome. */
async function cardOperation(path: string, body: object) {
  const steps = $('progress');
  steps.replaceChildren();
  $('card-result').textContent = 'The card is working...';
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok || res.body === null) throw new DeskError((await res.json()) as ErrorJson);
  const decoder = new TextDecoder();
  const events = res.body.getReader();
  let buffered = '';
  let outcome: { event: string; data: Record<string, unknown> } | undefined;
  for (;;) {
    const { done, value } = await events.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let end = buffered.indexOf('\n\n');
    while (end >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as Record<string, unknown>;
      if (event === 'progress') {
        const li = document.createElement('li');
        li.textContent = String(data['step']);
        steps.append(li);
      } else {
        outcome = { event, data };
      }
      end = buffered.indexOf('\n\n');
    }
  }
  if (outcome?.event !== 'done') {
    $('card-result').textContent = '';
    throw new DeskError((outcome?.data ?? { code: 'INTERNAL', message: 'no answer' }) as never);
  }
  const card = outcome.data['card'] as Card;
  if (user !== undefined) await openProfile(user.uuid);
  else await loadReader();
  $('card-result').textContent = `Card ${card.serial} is ${card.status} (${String(
    (outcome.data['rules'] as string[]).join(', '),
  )})`;
  notice(`Card ${card.serial}: ${card.status}`);
}

function wire() {
  $('find-form').addEventListener('submit', (e) => {
    e.preventDefault();
    act(find)();
  });
  $('sign-out').addEventListener(
    'click',
    act(async () => {
      await call('/desk/sign-out', {});
      location.reload();
    }),
  );
  $('assign-form').addEventListener('submit', (e) => {
    e.preventDefault();
    act(async () => {
      const position = input('assign-position').value;
      await command('assignment.assign', {
        user: user?.uuid,
        position,
        start: now().slice(0, 10),
      });
      if (user !== undefined) await openProfile(user.uuid);
      notice(`${position} assigned.`);
    })();
  });
  $('raise-form').addEventListener('submit', (e) => {
    e.preventDefault();
    act(async () => {
      const raised = await command<{ request: { id: string } }>('request.raise', {
        request: {
          kind: 'position-assignment',
          user: user?.uuid,
          position: input('raise-position').value,
          start: now().slice(0, 10),
        },
        reason: input('raise-reason').value,
      });
      notice(`Request ${raised.request.id} raised.`);
      await loadRequests();
    })();
  });
  input('user-present').addEventListener('change', () => {
    profileButtons();
    readerButtons();
  });
  $('issue-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const passcode = input('issue-passcode');
    act(() =>
      cardOperation('/desk/cards/issue', {
        user: user?.uuid,
        passcode: passcode.value,
        userPresent: input('user-present').checked,
      }).finally(() => {
        passcode.value = '';
      }),
    )();
  });
  $('unlock-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const passcode = input('unlock-passcode');
    act(() =>
      cardOperation('/desk/cards/unlock', {
        newPasscode: passcode.value,
        userPresent: input('user-present').checked,
      }).finally(() => {
        passcode.value = '';
      }),
    )();
  });
  $('try-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const passcode = input('try-passcode');
    act(async () => {
      const tried = await call<{ ok: boolean; triesLeft: number }>('/desk/reader/passcode', {
        passcode: passcode.value,
      });
      passcode.value = '';
      notice(tried.ok ? 'Passcode right.' : `Passcode wrong: ${tried.triesLeft} tries left.`);
      await loadReader();
    })();
  });
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    act(registerKey)();
  });
  $('key-sign-in').addEventListener('click', act(signInWithKey));
  $('export').addEventListener('click', act(exportReport));
}

async function main() {
  wire();
  const { people, store } = await call<{
    people: { uuid: string; name: string; role: string }[];
    store: string;
  }>('/desk/people');
  $('store-name').textContent = store;
  show('key-sign-in', 'PublicKeyCredential' in window);
  for (const p of people) {
    names.set(p.uuid, p.name);
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset['uuid'] = p.uuid;
    b.textContent = `${p.name}: ${p.role}`;
    b.addEventListener(
      'click',
      act(() => signIn(p.uuid)),
    );
    li.append(b);
    $('people').append(li);
  }
  // Already signed in (the cookie): straight to the desk.
  await start().catch(() => undefined);
  document.body.dataset['ready'] = 'true';
}

main().catch(refusal);
