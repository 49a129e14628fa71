import { z } from 'zod';

/**
 * An ODS organisation code: 3 to 8 upper-case letters and digits (ICBs like `QVV`,
 * trusts like `RXX`, practices like `A12345`, pharmacies like `FA123`).
 */
export const odsCodeSchema = z
  .string()
  .transform((raw) => raw.trim().toUpperCase())
  .pipe(
    z
      .string()
      .regex(/^[A-Z0-9]{3,8}$/, { message: 'must be an ODS code of 3 to 8 letters or digits' }),
  )
  .brand<'OdsCode'>();

/** An ODS organisation code. */
export type OdsCode = z.infer<typeof odsCodeSchema>;
