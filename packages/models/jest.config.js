module.exports = {
  ...require('../../jest.preset.js'),
  displayName: '@ssseg/models',
  testEnvironment: require('path').join(__dirname, 'jest-environment.js'),
};
