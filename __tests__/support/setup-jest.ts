import { Testing } from 'cdktf';

// cdktf's matchers: toHaveResourceWithProperties, toHaveProviderWithProperties, ...
Testing.setupJest();

// The matchers' type declarations (a global augmentation of jest's Matchers).
export type {} from 'cdktf/lib/testing/adapters/jest';
