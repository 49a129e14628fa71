import { toValidPack } from './registry.js';
import type { RulePack } from './schema.js';

/**
 * The national rule pack, careid's default: the numbers of the public CIM guidance.
 *
 * ROLE-01 names R5080 (RA Manager), R5090 (RA Agent), B0267 (ID Checker) and B1300
 * (Sponsor). The sources name no code for RA Agent (Advanced) or Local Smartcard
 * Administrator: `R5085` and `B0570` here are careid's placeholders; a host sets the codes
 * its organisation uses with `derivePack`.
 *
 * @example
 * ```ts
 * decide({ pack: nationalPack, ... })
 * ```
 */
export const nationalPack: RulePack = toValidPack({
  id: 'national',
  name: 'National CIM guidance',
  timeZone: 'Europe/London',
  certificateLifeYears: 3,
  certificateSubject: 'name',
  renewalWindowDays: 90,
  selfRenewalLimit: null,
  nonRenewableSeries: ['01', '02', '03', '04', '05'],
  niNumberRequired: false,
  passportGraceMonths: 6,
  proofOfAddressMaxAgeMonths: 3,
  batchLimit: 100,
  sponsorAgentExclusive: false,
  trainingCertificateRequired: true,
  igApprovalActivities: [],
  requestLockMinutes: 15,
  closedRequestListingDays: 30,
  leaverEndDateHours: 24,
  oneTimeCodeMinutes: 15,
  oneTimeCodeTries: 3,
  passcode: { minLength: 6, maxLength: 8, tries: 3 },
  pharmacyMinimumSponsorsOrAgents: null,
  pharmacistJobRoles: [],
  roleCodes: {
    RAM: ['R5080'],
    RAAA: ['R5085'],
    RAA: ['R5090'],
    S: ['B1300'],
    IDC: ['B0267'],
    LSA: ['B0570'],
  },
  grants: {},
});
