import { readdirSync, readFileSync } from 'node:fs';

export const SCHED_OTHER = 0;
export const SCHED_IDLE = 5;

// Linux: the scheduling policy and nice value of every thread of a process (this one by default), from
// /proc/<pid>/task/<tid>/stat (fields 41 and 19; the name in parentheses may hold spaces, so count after it).
export function threadScheduling(pid: number | 'self' = 'self') {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { tid, nice: Number(fields[19 - 3]), policy: Number(fields[41 - 3]) };
  });
}
