import type { Clock } from './types';

export const systemClock: Clock = { now: () => new Date() };

export const toSeconds = (date: Date) => Math.floor(date.getTime() / 1000);
export const addSeconds = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);
