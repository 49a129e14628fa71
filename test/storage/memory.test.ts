import { memoryStore } from '../../src/storage/index.js';
import { describeStoreConformance } from '../../src/storage/testing/index.js';

describeStoreConformance({ name: 'memory', create: () => memoryStore(), numRuns: 50 });
