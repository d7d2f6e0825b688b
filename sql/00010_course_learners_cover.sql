-- 00010: a course's learners searched by name or email (GET /admin/courses/{slug}/learners?q=) at 1,000,000
-- learners. For a pattern that matches a few thousand users the planner starts from the users' trigram indexes and
-- looks each match up in course_learners; a covering index answers that look-up from the index alone (an index-only
-- scan) instead of a heap visit per learner: 4,839 matches went from ~120 ms of look-ups to ~25 ms (plans in
-- docs/decisions/0014-admin-lists-at-scale.md). It also serves everything the plain (user_id) index did.
-- Forward-only: never edit once landed.

create index course_learners_user_course_idx on course_learners (user_id, course_id)
  include (completed, last_activity_at);
drop index course_learners_user_idx;
