import { parseJsonExactIntegers } from './exact-json';

describe('JSON with exact integers', () => {
  it('reads integers beyond 2^53 as BigInt with every digit, and leaves everything else as JSON.parse does', () => {
    const text = '{"layer1.12345678901234567890": [9007199254740993, -18446744073709551615, 12, 1.5e300, "99999999999999999999"], "s": "a\\"b 12345678901234567890"}';
    expect(parseJsonExactIntegers(text)).toEqual({
      'layer1.12345678901234567890': [9007199254740993n, -18446744073709551615n, 12, 1.5e300, '99999999999999999999'],
      s: 'a"b 12345678901234567890',
    });
    expect(parseJsonExactIntegers('[9007199254740991]')).toEqual([9007199254740991]);
    expect(() => parseJsonExactIntegers('{"a": 1')).toThrow(SyntaxError);
  });
});
