import { SssegError } from './errors';
import { positiveInt } from './positive-int';

describe('positiveInt', () => {
  it('reads a positive integer given as text or as a number', () => {
    expect(positiveInt('12', '--epochs')).toBe(12);
    expect(positiveInt(3, 'batchSize')).toBe(3);
  });

  it.each([
    ['0', "--epochs must be a positive integer, got '0'"],
    ['-2', "--epochs must be a positive integer, got '-2'"],
    ['1.5', "--epochs must be a positive integer, got '1.5'"],
    ['ten', "--epochs must be a positive integer, got 'ten'"],
    ['', "--epochs must be a positive integer, got ''"],
  ])('refuses the text %j, naming the flag and quoting the text', (text, message) => {
    expect(() => positiveInt(text, '--epochs')).toThrow(new SssegError(message));
  });

  it('refuses a number that is not a positive integer, naming the option and where it belongs', () => {
    expect(() => positiveInt(0, 'batchSize', 'loader')).toThrow(new SssegError('batchSize must be a positive integer, got 0', 'loader'));
    expect(() => positiveInt(2.5, 'batchSize', 'loader')).toThrow('loader: batchSize must be a positive integer, got 2.5');
    expect(() => positiveInt(Number.NaN, 'batchSize')).toThrow(SssegError);
  });
});
