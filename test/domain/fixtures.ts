import {
  type Authenticator,
  authenticatorSchema,
  type PositionAssignment,
  positionAssignmentSchema,
  type Request,
  requestSchema,
  type Smartcard,
  smartcardSchema,
  type UserProfile,
  userProfileSchema,
  type WorkgroupAssignment,
  workgroupAssignmentSchema,
} from '../../src/domain/index.js';

export const AT = '2026-11-22T10:00:00.000Z';
export const AGENT = '100000000009';

export const user = (over: Partial<Record<keyof UserProfile, unknown>> = {}): UserProfile =>
  userProfileSchema.parse({
    uuid: '100000000001',
    name: { given: 'Ada', family: 'Lovelace' },
    dateOfBirth: '1980-12-10',
    contact: { email: 'ada@nhs.net', emailVerified: true },
    status: 'open',
    createdAt: AT,
    createdBy: AGENT,
    version: 3,
    ...over,
  });

export const assignment = (over: Record<string, unknown> = {}): PositionAssignment =>
  positionAssignmentSchema.parse({
    id: 'asg_1',
    user: '100000000001',
    position: 'pos_1',
    organisation: 'FA123',
    start: '2026-01-01',
    createdBy: AGENT,
    version: 0,
    ...over,
  });

export const workgroupAssignment = (over: Record<string, unknown> = {}): WorkgroupAssignment =>
  workgroupAssignmentSchema.parse({
    id: 'wga_1',
    user: '100000000001',
    workgroup: 'wg_1',
    start: '2026-01-01',
    createdBy: AGENT,
    version: 0,
    ...over,
  });

export const card = (over: Record<string, unknown> = {}): Smartcard =>
  smartcardSchema.parse({
    serial: '2112345678',
    status: 'issued',
    holder: '100000000001',
    version: 1,
    ...over,
  });

export const request = (over: Record<string, unknown> = {}): Request =>
  requestSchema.parse({
    id: 'req_1',
    kind: 'sponsor-create-user',
    state: 'open',
    requestedBy: '100000000005',
    subject: '100000000001',
    organisation: 'FA123',
    payload: {},
    createdAt: AT,
    version: 0,
    ...over,
  });

export const authenticator = (over: Record<string, unknown> = {}): Authenticator =>
  authenticatorSchema.parse({
    id: 'auth_1',
    user: '100000000001',
    kind: 'security-key',
    label: 'YubiKey',
    route: 'self',
    registeredBy: '100000000001',
    registeredAt: AT,
    version: 0,
    ...over,
  });
