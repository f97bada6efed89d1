module.exports = { ...require('../../jest.preset.js'), displayName: '@ssseg/runner' };
