import { ConfigError } from '@ssseg/core';
import { FEW_LABELLED_IMAGES, labelledCountOf } from './labelled-count';

describe('the labelled images a split gives', () => {
  it('refuses a split that gives fewer than one labelled image, naming the key and the counts', () => {
    const refuse = () => labelledCountOf(128, 1 / 100000, 'data.split', '1_100000', () => undefined);
    expect(refuse).toThrow(ConfigError);
    expect(refuse).toThrow('data.split: split 1_100000 of 128 images gives 0.00128 labelled images, fewer than one: use a fraction of at least 1/128 or a larger set');
  });

  it(`warns when a split gives fewer than ${FEW_LABELLED_IMAGES}, and is silent from there`, () => {
    const warnings: string[] = [];
    const warn = (m: string) => void warnings.push(m);
    expect(labelledCountOf(128, 1 / 64, 'data.split', '1_64', warn)).toBe(2);
    expect(warnings).toEqual(['data.split: split 1_64 of 128 images gives only 2 labelled images (fewer than 4): results will say little about a method']);
    expect(labelledCountOf(128, 1 / 32, 'data.split', '1_32', warn)).toBe(4);
    expect(labelledCountOf(1024, 1 / 16, 'data.split', '1_16', warn)).toBe(64);
    expect(warnings).toHaveLength(1);
  });
});
