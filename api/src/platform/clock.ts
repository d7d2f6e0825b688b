// Time is a dependency: services read `deps.clock.now()`, so tests move time instead of sleeping.
export type Clock = { now: () => Date };

export const systemClock: Clock = { now: () => new Date() };

export const toSeconds = (date: Date) => Math.floor(date.getTime() / 1000);
export const addSeconds = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);
