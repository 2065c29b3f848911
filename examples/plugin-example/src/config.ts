import { type Static, Type } from '@sinclair/typebox';

/** Validated at load time; a bad value is a load error naming the plugin and the field. */
export const ExampleConfigSchema = Type.Object(
  {
    header: Type.String({
      pattern: '^[A-Za-z0-9-]+$',
      default: 'x-attache-example',
      description: 'response header added to every route',
    }),
    value: Type.String({ minLength: 1, default: 'hello from attache', description: 'its value' }),
  },
  { additionalProperties: false },
);

export type ExampleConfig = Static<typeof ExampleConfigSchema>;
