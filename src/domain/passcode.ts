/** The passcode rules a rule pack sets (CARD-02). */
export interface PasscodeSettings {
  readonly minLength: number;
  readonly maxLength: number;
}

/**
 * CARD-02: why a passcode is not acceptable, or undefined when it is (6 to 8 digits by
 * default). The passcode itself never appears in the answer (AUD-02).
 *
 * @example
 * ```ts
 * passcodeProblem('12a456', { minLength: 6, maxLength: 8 }) // 'a passcode has only digits'
 * ```
 */
export function passcodeProblem(passcode: string, settings: PasscodeSettings): string | undefined {
  if (!/^\d*$/.test(passcode)) return 'a passcode has only digits';
  if (passcode.length < settings.minLength || passcode.length > settings.maxLength) {
    return `a passcode has ${settings.minLength} to ${settings.maxLength} digits`;
  }
  return undefined;
}
