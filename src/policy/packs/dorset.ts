import { derivePack } from './derive.js';
import { nationalPack } from './national.js';

/**
 * NHS Dorset's local RA policy (`dorset-ra-local-policy.txt`) on top of the national pack:
 * an NI number required, no card without one (ID-03, CARD-01); at most 3 self-renewals
 * per card (CARD-05); a sponsor cannot also be an RA agent (SOD-02); the e-learning
 * certificate before an RA or sponsor position (SOD-06); only RA agents check identity,
 * so ID checkers lose "create a new user profile"; every pharmacy needs two people acting
 * as sponsor or RA agent (ORG-01); the card certificate names the UUID only, not the
 * holder (CARD-11); a pharmacist (job role R8003 here) unlocks and renews the cards of
 * staff at the pharmacist's own pharmacy, never as a locum (CARD-03, CARD-05).
 *
 * @example
 * ```ts
 * diffPacks(nationalPack, dorsetPack)
 * ```
 */
export const dorsetPack = derivePack(nationalPack, {
  id: 'dorset',
  name: 'NHS Dorset RA local policy',
  niNumberRequired: true,
  selfRenewalLimit: 3,
  sponsorAgentExclusive: true,
  trainingCertificateRequired: true,
  pharmacyMinimumSponsorsOrAgents: 2,
  certificateSubject: 'uuid-only',
  // careid's placeholder for the pharmacist job role; a host sets its own with derivePack.
  pharmacistJobRoles: ['R8003'],
  grants: { 'user.create': { IDC: null } },
});
