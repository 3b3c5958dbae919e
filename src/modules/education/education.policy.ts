import { modulePolicy } from '../../platform/auth/roles.js';

export const educationPolicy = modulePolicy([], {});
