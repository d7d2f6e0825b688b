-- Curriculum (courses → modules → lessons) and learners' progress.
--
-- content/curriculum.json is the one source of truth for the curriculum; the API copies it into these tables at
-- start (api/src/features/curriculum/curriculum.sync.ts). Rows are matched by slug, so ids stay stable across
-- content edits and lesson_progress survives a reworded title or a reordered module.
--
-- Plain SQL for PostgreSQL 15 and PGlite: no extensions (gen_random_uuid() is built in since 13).

create table courses (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique
    check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) <= 80),
  title text not null
    check (char_length(title) between 1 and 120),
  summary text not null
    check (char_length(summary) between 1 and 300),
  position integer not null
    check (position >= 1),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Deferred so one sync can reorder (swap positions) and only the final order is checked, at commit.
  constraint courses_position_key unique (position) deferrable initially deferred
);

create table course_modules (
  id uuid primary key default gen_random_uuid(),
  course_id uuid not null references courses (id) on delete cascade,
  slug text not null
    check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) <= 80),
  title text not null
    check (char_length(title) between 1 and 120),
  summary text not null
    check (char_length(summary) between 1 and 300),
  position integer not null
    check (position >= 1),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Not deferrable: the sync's `on conflict (course_id, slug)` needs it as arbiter.
  constraint course_modules_course_id_slug_key unique (course_id, slug),
  -- Target of the lessons' composite foreign key, which keeps lessons.course_id equal to its module's course.
  constraint course_modules_id_course_id_key unique (id, course_id),
  -- Its index serves "modules of a course, in order".
  constraint course_modules_course_id_position_key unique (course_id, position) deferrable initially deferred
);

create table lessons (
  id uuid primary key default gen_random_uuid(),
  module_id uuid not null,
  -- Denormalised from the module so a lesson slug is unique across the whole course (one lesson URL per slug)
  -- and a lesson keeps its id when the content moves it to another module of the same course.
  course_id uuid not null references courses (id) on delete cascade,
  slug text not null
    check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) <= 80),
  title text not null
    check (char_length(title) between 1 and 120),
  summary text not null
    check (char_length(summary) between 1 and 300),
  duration_minutes integer not null
    check (duration_minutes between 1 and 600),
  position integer not null
    check (position >= 1),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint lessons_module_id_course_id_fkey foreign key (module_id, course_id)
    references course_modules (id, course_id) on delete cascade,
  constraint lessons_course_id_slug_key unique (course_id, slug),
  -- Its index serves "lessons of a module, in order" and the cascade when a module is deleted (a deferrable
  -- unique index is usable for scans; it only cannot be an `on conflict` arbiter).
  constraint lessons_module_id_position_key unique (module_id, position) deferrable initially deferred
);

create table lesson_progress (
  user_id uuid not null references users (id) on delete cascade,
  lesson_id uuid not null references lessons (id) on delete cascade,
  status text not null
    check (status in ('not_started', 'in_progress', 'completed')),
  started_at timestamptz null,
  completed_at timestamptz null,
  updated_at timestamptz not null default now(),
  primary key (user_id, lesson_id),
  -- completed_at is set exactly when the lesson is completed.
  constraint lesson_progress_completed_at_check check ((status = 'completed') = (completed_at is not null))
);

-- The primary key serves "progress of a user"; this serves the cascade when a lesson is deleted.
create index lesson_progress_lesson_id_idx on lesson_progress (lesson_id);

-- One row: the SHA-256 of the curriculum content last synced, so an API start with unchanged content does no
-- writes. The row is seeded here so the sync can lock it (`select ... for update`) and instances starting
-- together sync one after the other.
create table curriculum_meta (
  id boolean primary key default true
    check (id),
  content_sha256 text null
    check (content_sha256 ~ '^[0-9a-f]{64}$'),
  synced_at timestamptz null
);

insert into curriculum_meta (id)
values (true);
