-- 00009: administration (API.md "Administration"): disabled accounts with a reason, audit rows with an actor, a
-- per-course summary of each learner's progress, and the indexes that keep the admin lists fast at 1,000,000 users
-- and 10,000,000 audit rows (scripts/seed-bench.mjs seeds that much; `npm run bench` measures it).
-- Forward-only: never edit once landed. pg_trgm ships with PostgreSQL and with PGlite (loaded in db/sql.ts).

create extension if not exists pg_trgm;

alter table users
  add column disabled_at timestamptz,
  add column disabled_reason text check (char_length(disabled_reason) <= 500);

-- Who did it, when that is not the subject user themselves: the admin who disabled an account, changed a role or
-- viewed a user's detail. Null for a user's own actions and for anonymous attempts. Kept when the actor is deleted.
alter table audit_logs add column actor_id uuid references users (id) on delete set null;

-- Users search: a case-insensitive substring of the email or the name (`ilike '%q%'`). Trigram GIN indexes answer
-- it without reading every row; the lists are newest first, keyset-paginated on (created_at, id).
create index users_email_trgm_idx on users using gin (email gin_trgm_ops);
create index users_full_name_trgm_idx on users using gin (full_name gin_trgm_ops);
create index users_created_at_id_idx on users (created_at desc, id desc);
create index users_role_created_at_id_idx on users (role, created_at desc, id desc);
-- Disabled accounts are few: a small partial index serves the `status=disabled` filter.
create index users_disabled_created_at_id_idx on users (created_at desc, id desc) where not is_active;

-- Audit list: newest first on (created_at, id), alone or filtered by user, actor or event. These replace the two
-- indexes of 00001, which lacked the id tie-break a keyset page needs.
create index audit_logs_created_at_id_idx on audit_logs (created_at desc, id desc);
create index audit_logs_user_created_at_id_idx on audit_logs (user_id, created_at desc, id desc);
create index audit_logs_actor_created_at_id_idx on audit_logs (actor_id, created_at desc, id desc)
  where actor_id is not null;
create index audit_logs_event_created_at_id_idx on audit_logs (event, created_at desc, id desc);
drop index audit_logs_user_idx;
drop index audit_logs_event_idx;

-- A course's learners with their progress, one row per (course, learner): anyone with progress in the course.
-- Kept by a trigger on lesson_progress, so the learners page of a course with 1,000,000 learners is an index walk
-- instead of an aggregate over every progress row. `completed` counts the learner's completed lessons of the course
-- (as GET /users/me/progress does); the course's lesson total is read at query time.
create table course_learners (
  course_id uuid not null references courses (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  completed integer not null check (completed >= 0),
  last_activity_at timestamptz not null,
  primary key (course_id, user_id)
);
create index course_learners_activity_idx on course_learners (course_id, last_activity_at desc, user_id desc);
create index course_learners_progress_idx on course_learners (course_id, completed desc, user_id desc);
create index course_learners_user_idx on course_learners (user_id);

-- Recomputes one learner's row of one course from lesson_progress: a learner's progress in a course is a handful
-- of rows, so recounting is cheap and cannot drift the way an increment could.
create function refresh_course_learner(p_course_id uuid, p_user_id uuid) returns void
language plpgsql as $$
declare
  done integer;
  latest timestamptz;
begin
  select count(*) filter (where lp.status = 'completed'), max(lp.updated_at)
  into done, latest
  from lesson_progress lp
  join lessons l on l.id = lp.lesson_id
  where lp.user_id = p_user_id
    and l.course_id = p_course_id;
  if latest is null then
    delete from course_learners where course_id = p_course_id and user_id = p_user_id;
  else
    insert into course_learners (course_id, user_id, completed, last_activity_at)
    values (p_course_id, p_user_id, done, latest)
    on conflict (course_id, user_id) do update
      set completed = excluded.completed,
        last_activity_at = excluded.last_activity_at;
  end if;
end;
$$;

create function lesson_progress_to_course_learners() returns trigger
language plpgsql as $$
declare
  course uuid;
begin
  if tg_op in ('UPDATE', 'DELETE') then
    select course_id into course from lessons where id = old.lesson_id;
    if course is not null then
      perform refresh_course_learner(course, old.user_id);
    else
      -- A cascade from a deleted lesson: its course is no longer readable, so recount each course of this learner
      -- (a deleted course takes its course_learners rows with it).
      perform refresh_course_learner(cl.course_id, old.user_id)
      from course_learners cl
      where cl.user_id = old.user_id;
    end if;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    select course_id into course from lessons where id = new.lesson_id;
    perform refresh_course_learner(course, new.user_id);
  end if;
  return null;
end;
$$;

create trigger lesson_progress_course_learners
after insert or update or delete on lesson_progress
for each row execute function lesson_progress_to_course_learners();

insert into course_learners (course_id, user_id, completed, last_activity_at)
select l.course_id, lp.user_id, count(*) filter (where lp.status = 'completed'), max(lp.updated_at)
from lesson_progress lp
join lessons l on l.id = lp.lesson_id
group by l.course_id, lp.user_id;
