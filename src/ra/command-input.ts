/**
 * The command a typed method sends: its input's fields with the method's `type` (and any
 * fixed fields). Only an object is spread: spreading a string or an array copies every
 * character or element into a key of its own (a 1 MB string took 0.4 s), so any other
 * value goes to validation as it is, to be refused there as "expected object".
 */
export function typedCommand(
  input: unknown,
  fields: { readonly type: string; readonly [field: string]: unknown },
): unknown {
  const spreadable =
    typeof input === 'object' &&
    input !== null &&
    !Array.isArray(input) &&
    !ArrayBuffer.isView(input);
  return spreadable ? { ...input, ...fields } : input;
}
