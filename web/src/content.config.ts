import { defineCollection, z } from 'astro:content';
import { lessonFrontmatterSchema } from '@aibc/api/shared/curriculum';
import { glob } from 'astro/loaders';
import { z as zod4 } from 'zod';

/*
 * One collection: the lesson files, content/lessons/<module-slug>/<lesson-slug>.md, with ids `<module>/<lesson>`.
 * Their frontmatter is validated by the API's own schema (@aibc/api/shared/curriculum), the one home of the lesson
 * format. Astro 5 speaks zod 3 and the shared schema is zod 4, so the collection's schema is a thin zod 3 wrapper
 * that runs it and reports every failing field; the entries are typed by the shared schema's output.
 */
const lessons = defineCollection({
  loader: glob({ pattern: '*/*.md', base: '../content/lessons' }),
  schema: z.unknown().transform((data, ctx) => {
    const result = lessonFrontmatterSchema.safeParse(data);
    if (result.success) return result.data;
    ctx.addIssue({ code: 'custom', message: zod4.prettifyError(result.error) });
    return z.NEVER;
  }),
});

export const collections = { lessons };
