import { User } from './user.entity.ts';

export const entities = [User];
