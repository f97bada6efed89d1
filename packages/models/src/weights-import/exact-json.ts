// a marker no JSON text holds raw: NUL, written escaped into the text and read back unescaped
const BIG_IN_TEXT = '\\u0000bigint:';
const BIG_VALUE = /^\u0000bigint:(-?\d+)$/;
// a string literal (skipped whole, so digits inside names are left alone) or a number
const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * JSON.parse, except that integers beyond 2^53 come back as BigInt with every digit: JSON.parse
 * rounds them (18446744073709551615 reads as 18446744073709552000), and an error message about
 * an offset must say the number the file holds.
 */
export function parseJsonExactIntegers(text: string): unknown {
  let marked = '';
  let copied = 0;
  for (const match of text.matchAll(TOKEN)) {
    const token = match[0];
    if (token.startsWith('"') || !/^-?\d+$/.test(token) || Number.isSafeInteger(Number(token))) continue;
    marked += `${text.slice(copied, match.index)}"${BIG_IN_TEXT}${token}"`;
    copied = match.index + token.length;
  }
  marked += text.slice(copied);
  return JSON.parse(marked, (_key, value: unknown) => {
    const big = typeof value === 'string' ? BIG_VALUE.exec(value) : null;
    return big ? BigInt(big[1]) : value;
  });
}
