import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Anchor, Badge, Button, Group, Select, Switch, Table, Text } from '@mantine/core';
import { api } from '../../../app/api';
import { LoadError, Loading, PageHeader } from '../../../app/components';
import { useLive } from '../../../app/live';
import { useCurrentSession } from '../../../app/session';
import { TONE } from '../../../app/theme';
import type { Page } from '../../../app/types';
import { T } from '../strings';
import type { Alarm } from '../types';
import { ageOf, beep, PriorityBadge, StateBadge } from './common';
import '../security.css';

const OPEN = '/api/security/alarms?state=new&state=taken&state=verification&pageSize=200';

interface Health {
  mqtt: { connected: boolean; mode: string; lastError: string | null } | null;
}

function BusStatus() {
  const { data } = useQuery({ queryKey: ['security', 'health'], queryFn: () => api<Health>('/api/health'), refetchInterval: 10_000 });
  if (!data) return null;
  const mqtt = data.mqtt;
  const [color, text] = !mqtt ? ['gray.8', T.queue.bus.none] : mqtt.connected ? [TONE.success, T.queue.bus.ok] : ['red.9', T.queue.bus.down];
  return (
    <Badge variant="filled" color={color} tt="none" data-testid="bus-status" data-connected={mqtt?.connected ?? 'none'}>
      {text}
    </Badge>
  );
}

export function QueuePage() {
  const session = useCurrentSession();
  const supervisor = session.user.role === 'supervisor' || session.user.role === 'smo_admin' || session.user.role === 'auditor';
  const canTake = (session.permissions.security_alarm ?? []).includes('update');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { recent } = useLive();
  const [owner, setOwner] = useState<string | null>(null);
  const [sound, setSound] = useState(true);
  const [selected, setSelected] = useState(0);
  const [cue, setCue] = useState<{ id: string; title: string } | null>(null);
  const [now, setNow] = useState(Date.now());
  const seen = useRef<Set<string>>(new Set());

  const { data, error, refetch } = useQuery({ queryKey: ['security', 'alarms', 'queue'], queryFn: () => api<Page<Alarm>>(OPEN) });
  const take = useMutation({
    mutationFn: (id: string) => api<Alarm>(`/api/security/alarms/${id}/take`, { method: 'POST' }),
    onSuccess: (alarm) => {
      void queryClient.invalidateQueries({ queryKey: ['security'] });
      void navigate(`/securite/alarmes/${alarm.id}`);
    },
  });

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);

  // A new high-priority alarm: a banner read by screen readers, the row flashes, and a beep if wanted.
  useEffect(() => {
    const event = recent[0];
    if (!event || event.topic !== 'security.security_alarm.created' || seen.current.has(event.id)) return;
    seen.current.add(event.id);
    const alarm = event.data as { id: string; title: string; priority: number };
    if (alarm.priority > 2) return;
    setCue({ id: alarm.id, title: alarm.title });
    if (sound) beep();
  }, [recent, sound]);

  const owners = useMemo(() => [...new Set((data?.items ?? []).map((a) => a.takenByLabel).filter((o): o is string => o !== null))].sort(), [data]);
  const items = (data?.items ?? []).filter((a) => owner === null || (owner === '' ? a.takenBy === null : a.takenByLabel === owner));
  const current = items[Math.min(selected, items.length - 1)];

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.isContentEditable || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'ArrowDown' || event.key === 'j') setSelected((s) => Math.min(s + 1, Math.max(0, items.length - 1)));
      else if (event.key === 'ArrowUp' || event.key === 'k') setSelected((s) => Math.max(s - 1, 0));
      else if (event.key === 'Enter' && current && target.tagName !== 'A' && target.tagName !== 'BUTTON') void navigate(`/securite/alarmes/${current.id}`);
      else if ((event.key === 'p' || event.key === 'P') && current?.state === 'new' && canTake) take.mutate(current.id);
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [items.length, current, canTake, navigate, take]);

  return (
    <>
      <PageHeader title={T.queue.title} actions={<BusStatus />}>
        <Text>{supervisor ? T.queue.supervisorIntro : T.queue.intro}</Text>
        <Text size="sm" c="dimmed">
          {T.queue.shortcuts}
        </Text>
      </PageHeader>
      <Group mb="md" align="flex-end">
        <Switch label={T.queue.sound} checked={sound} onChange={(e) => setSound(e.currentTarget.checked)} />
        {supervisor && (
          <Select
            label={T.queue.owner}
            w={260}
            value={owner}
            onChange={setOwner}
            clearable
            placeholder={T.queue.allOwners}
            data={[{ value: '', label: T.queue.unassigned }, ...owners.map((o) => ({ value: o, label: o }))]}
          />
        )}
        <Anchor component={Link} to="/securite/indicateurs" size="sm">
          {T.nav.indicators}
        </Anchor>
      </Group>
      <div aria-live="assertive">
        {cue && (
          <Alert color="red" variant="filled" role="alert" mb="md" withCloseButton onClose={() => setCue(null)} closeButtonLabel="Fermer" data-testid="new-alarm-cue">
            <Anchor component={Link} to={`/securite/alarmes/${cue.id}`} c="white" fw={700}>
              {T.queue.newHigh(cue.title)}
            </Anchor>
          </Alert>
        )}
      </div>
      {take.error && <LoadError error={take.error} />}
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && items.length === 0 && <Text>{T.queue.empty}</Text>}
      {data && items.length > 0 && (
        <Table striped highlightOnHover aria-label={T.queue.title}>
          <Table.Thead>
            <Table.Tr>
              {Object.values(T.queue.columns).map((label) => (
                <Table.Th key={label}>{label}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((a, i) => (
              <Table.Tr
                key={a.id}
                data-alarm-id={a.id}
                aria-selected={i === selected}
                className={`${i === selected ? 'alarm-selected' : ''} ${cue?.id === a.id ? 'alarm-flash' : ''}`}
                onClick={() => setSelected(i)}
              >
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <PriorityBadge priority={a.priority} />
                </Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/securite/alarmes/${a.id}`}>
                    {a.title}
                  </Anchor>
                  {a.escalationLevel > 0 && (
                    <Text size="xs" c="red.9">
                      {T.alarm.escalated(a.escalationLevel)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{a.siteName}</Table.Td>
                <Table.Td>{a.eventCount}</Table.Td>
                <Table.Td>{ageOf(a.createdAt, now)}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <StateBadge state={a.state} />
                </Table.Td>
                <Table.Td>{a.takenByLabel ?? '—'}</Table.Td>
                <Table.Td>
                  {a.state === 'new' && canTake ? (
                    <Button size="xs" onClick={() => take.mutate(a.id)} loading={take.isPending && take.variables === a.id} aria-label={`${T.queue.take} : ${a.title}`}>
                      {T.queue.take}
                    </Button>
                  ) : (
                    <Anchor component={Link} to={`/securite/alarmes/${a.id}`} size="sm" aria-label={`${T.queue.open} : ${a.title}`}>
                      {T.queue.open}
                    </Anchor>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </>
  );
}
