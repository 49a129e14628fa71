import type { IsoDate } from './dates.js';
import type { AssignmentId, AuthenticatorId, PositionId, RequestId } from './ids.js';
import type { CancelReason, CardSerial } from './smartcard.js';
import type { Uuid } from './uuid.js';

/** What a domain transition did, for the audit log and for host apps listening to changes. */
export type DomainEvent =
  | {
      readonly type: 'user.details-changed';
      readonly uuid: Uuid;
      readonly fields: readonly string[];
      readonly flaggedEsrFields: readonly string[];
    }
  | { readonly type: 'user.contact-changed'; readonly uuid: Uuid }
  | { readonly type: 'user.closed'; readonly uuid: Uuid; readonly reason: string }
  | { readonly type: 'user.reopened'; readonly uuid: Uuid }
  | {
      readonly type: 'assignment.dates-changed';
      readonly id: AssignmentId;
      readonly start: IsoDate;
      readonly end: IsoDate | undefined;
    }
  | { readonly type: 'assignment.ended'; readonly id: AssignmentId; readonly end: IsoDate }
  | { readonly type: 'assignment.removed'; readonly id: AssignmentId }
  | {
      readonly type: 'card.issued';
      readonly serial: CardSerial;
      readonly holder: Uuid;
      readonly locked: boolean;
    }
  | {
      readonly type: 'card.reserved';
      readonly serial: CardSerial;
      readonly operation: 'issue' | 'repair' | 'renewal' | 'clearing';
      readonly holder?: Uuid;
    }
  | {
      readonly type: 'card.released';
      readonly serial: CardSerial;
      readonly status: 'issued' | 'locked' | 'needs-repair';
    }
  | { readonly type: 'card.locked'; readonly serial: CardSerial }
  | { readonly type: 'card.unlocked'; readonly serial: CardSerial }
  | {
      readonly type: 'card.renewed';
      readonly serial: CardSerial;
      readonly self: boolean;
      readonly supersededCertificates: readonly string[];
    }
  | { readonly type: 'card.repaired'; readonly serial: CardSerial }
  | { readonly type: 'card.flagged-for-repair'; readonly serial: CardSerial; readonly why: string }
  | {
      readonly type: 'card.cleared';
      readonly serial: CardSerial;
      readonly revokedCertificates: readonly string[];
    }
  | {
      readonly type: 'card.cancelled';
      readonly serial: CardSerial;
      readonly reason: CancelReason;
      readonly revokedCertificates: readonly string[];
    }
  | { readonly type: 'position.changed'; readonly id: PositionId }
  | { readonly type: 'authenticator.removed'; readonly id: AuthenticatorId }
  | { readonly type: 'request.locked'; readonly id: RequestId; readonly by: Uuid }
  | {
      readonly type: 'request.decided';
      readonly id: RequestId;
      readonly outcome: 'accepted' | 'rejected' | 'withdrawn' | 'closed';
    };

/** The result of every domain transition: the new state and what happened. */
export interface Transition<S> {
  readonly state: S;
  readonly events: readonly DomainEvent[];
}
