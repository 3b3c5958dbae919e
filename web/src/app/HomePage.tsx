import { Stack } from '@mantine/core';
import { MODULES } from './modules';
import { allowed, useCurrentSession, useSession } from './session';
import { PageHeader } from './components';
import { S } from './strings';

/** Key figures of each module the user may read; each module brings its own tiles. */
export function HomePage() {
  const session = useCurrentSession();
  const { memberFilter } = useSession();
  const modules = MODULES.filter((m) => m.tiles && allowed(session.permissions, m.tiles.resource));
  return (
    <>
      <PageHeader title={S.homeTitle}>{S.homeIntro(memberFilter?.name ?? session.member.name)}</PageHeader>
      <Stack gap="xl">
        {modules.map(({ id, tiles }) => {
          const Tiles = tiles!.Component;
          return <Tiles key={id} />;
        })}
      </Stack>
    </>
  );
}
