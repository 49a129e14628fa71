import { type CareIdError, isCareIdError, type SmartcardResult } from 'careid';
import { holderOfGuid, PinIncorrectError, PivSession } from 'careid/card';
import type { DeskSetup } from './setup.js';

/** The card in the desk's reader as the page shows it: what the chip says, not the store. */
export interface ReaderState {
  readonly present: boolean;
  /** The printed serial: the chip serial in decimal, 10 digits (as the RA reads it). */
  readonly serial?: string;
  /** The holder's UUID from the card's CHUID, once issued. */
  readonly holder?: string;
  /** Passcode tries left; 0 when blocked (CARD-02). */
  readonly triesLeft?: number;
}

/** Runs `fn` on a fresh PIV session to the card in the reader, closing it afterwards. */
async function withCard<T>(setup: DeskSetup, fn: (piv: PivSession) => Promise<T>): Promise<T> {
  const connection = await setup.reader.connect();
  try {
    return await fn(await PivSession.open(connection));
  } finally {
    await connection.close();
  }
}

/**
 * Reads the card in the reader: serial, holder, passcode tries left. Nothing is written.
 */
export async function readCard(setup: DeskSetup): Promise<ReaderState> {
  if (!setup.card.present) return { present: false };
  return withCard(setup, async (piv) => {
    const serial = String(await piv.serialNumber()).padStart(10, '0');
    const chuid = await piv.readChuid();
    const holder = chuid === undefined ? undefined : holderOfGuid(chuid.guid);
    const { triesLeft } = await piv.pinStatus();
    return {
      present: true,
      serial,
      ...(holder !== undefined ? { holder } : {}),
      ...(triesLeft !== undefined ? { triesLeft } : {}),
    };
  });
}

/**
 * The holder types their passcode at the reader (a card sign-in, as at a workstation):
 * right or wrong, and the tries left. Three wrong lock the card (CARD-02); a right one is
 * not left verified (CARD-12).
 */
export async function tryPasscode(
  setup: DeskSetup,
  passcode: string,
): Promise<{ readonly ok: boolean; readonly triesLeft: number }> {
  return withCard(setup, async (piv) => {
    try {
      await piv.verifyPin(passcode);
      await piv.resetPinStatus();
      return { ok: true, triesLeft: 3 };
    } catch (error) {
      if (error instanceof PinIncorrectError) return { ok: false, triesLeft: error.triesLeft };
      if (isCareIdError(error) && error.code === 'CARD_BLOCKED') return { ok: false, triesLeft: 0 };
      throw error;
    }
  });
}

/** A card operation's answer: Server-Sent Events of its progress, then its result or error. */
export function cardJob(
  run: (progress: (step: string) => void) => Promise<SmartcardResult>,
): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (event: string, data: unknown) =>
        controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
      try {
        const result = await run((step) => send('progress', { step }));
        send('done', {
          type: result.type,
          card: result.card,
          rules: result.decision.reasons.map((r) => r.rule),
          ...(result.certificate ? { certificate: result.certificate } : {}),
          apdus: result.apdus,
        });
      } catch (error) {
        send(
          'error',
          isCareIdError(error)
            ? (error as CareIdError).toJSON()
            : { code: 'INTERNAL', message: 'The card operation failed unexpectedly.' },
        );
        if (!isCareIdError(error)) console.error(error);
      } finally {
        controller.close();
      }
    },
  });
  return new Response(body, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' },
  });
}
