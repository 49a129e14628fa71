// The part of des.js (a CommonJS package without types) that management-key.ts uses.
declare module 'des.js' {
  /** A DES or 3DES cipher in ECB mode. */
  interface DesCipher {
    update(data: Uint8Array | readonly number[]): number[];
    final(): number[];
  }
  interface DesCipherFactory {
    create(options: {
      readonly type: 'encrypt' | 'decrypt';
      readonly key: Uint8Array | readonly number[];
      readonly padding?: boolean;
    }): DesCipher;
  }
  const des: { readonly DES: DesCipherFactory; readonly EDE: DesCipherFactory };
  export default des;
}
