import { Suspense } from 'react';
import { NavLink as RouterNavLink, Navigate, Outlet, useLocation } from 'react-router';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { Anchor, AppShell, Badge, Box, Burger, Button, Group, NavLink, Stack, Text } from '@mantine/core';
import { MODULES } from './modules';
import { isSmoStaff, mayReach, useSession } from './session';
import { LiveProvider, useLive, type LiveState } from './live';
import { MemberPicker } from './MemberPicker';
import { Loading } from './components';
import { S } from './strings';
import { TONE } from './theme';

const LIVE_COLOR: Record<LiveState, string> = { connecting: '#5c5f66', open: '#2b8a3e', reconnecting: '#e67700', closed: '#c92a2a' };

function LiveStatus() {
  const { state } = useLive();
  return (
    <Text size="sm" role="status" aria-live="polite" data-live-state={state} title={S.live.label}>
      <span className="live-dot" style={{ background: LIVE_COLOR[state] }} aria-hidden />
      <span className="visually-hidden">{S.live.label} : </span>
      {S.live[state]}
    </Text>
  );
}

function focusMain(event: React.MouseEvent<HTMLAnchorElement>) {
  event.preventDefault();
  document.getElementById('contenu')?.focus();
}

/** The signed-in frame: skip link, header with the member acted for, navigation allowed by the role. */
export function Shell() {
  const { session, logout, memberFilter, setMemberFilter } = useSession();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  // One picker, in the header on wide screens and in the collapsible menu otherwise.
  const wide = useMediaQuery('(min-width: 62em)', true);
  if (session === null) return <Navigate to="/connexion" replace state={{ from: location.pathname + location.search }} />;
  if (session === undefined) return <Loading />;

  const nav = [{ to: '/', label: S.home, end: true }, ...MODULES.flatMap((m) => m.nav.filter((item) => mayReach(session, item.resource, item.action, item.roles)).map((item) => ({ ...item, end: false })))];

  return (
    <LiveProvider>
      <a href="#contenu" className="skip-link" onClick={focusMain}>
        {S.skipLink}
      </a>
      <AppShell header={{ height: { base: 64, sm: 72 } }} navbar={{ width: 250, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap">
              <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? S.closeMenu : S.openMenu} aria-expanded={opened} aria-controls="navigation" />
              <Anchor component={RouterNavLink} to="/" fw={700} fz="xl" c="blue.9" underline="never">
                {S.appName}
              </Anchor>
            </Group>
            <Group gap="lg" wrap="nowrap">
              <LiveStatus />
              {isSmoStaff(session) && wide && <MemberPicker />}
              <Stack gap={0} visibleFrom="sm" data-testid="acting-for">
                <Text size="sm" fw={600}>
                  {session.user.displayName}
                </Text>
                <Text size="xs">
                  <span className="visually-hidden">{S.actingFor} </span>
                  {session.member.name} · {session.roleLabel}
                </Text>
              </Stack>
              <Button variant="outline" size="xs" onClick={() => void logout()}>
                {S.logout}
              </Button>
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="sm" id="navigation" component="nav" aria-label={S.mainNav} style={{ overflowY: 'auto' }}>
          <Stack gap={4}>
            {nav.map((item) => (
              <NavLink key={item.to} component={RouterNavLink} to={item.to} end={item.end} label={item.label} onClick={close} variant="filled" />
            ))}
          </Stack>
          <Box hiddenFrom="md" mt="md">
            <Text size="xs">{session.member.name} · {session.roleLabel}</Text>
            {isSmoStaff(session) && !wide && <MemberPicker />}
          </Box>
        </AppShell.Navbar>
        <AppShell.Main id="contenu" tabIndex={-1} style={{ outline: 'none' }}>
          {memberFilter && (
            <Group gap="sm" mb="md">
              <Badge variant="filled" color={TONE.warning} size="lg" tt="none">
                {S.memberFilter.active(memberFilter.name)}
              </Badge>
              <Button variant="subtle" size="compact-sm" onClick={() => setMemberFilter(null)}>
                {S.memberFilter.clear}
              </Button>
            </Group>
          )}
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </AppShell.Main>
      </AppShell>
    </LiveProvider>
  );
}
