import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Anchor, Button, Checkbox, Grid, Group, List, Radio, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { api, ApiError } from '../../../app/api';
import { formatDateTime, LoadError, Loading, PageHeader, Section } from '../../../app/components';
import { useCurrentSession } from '../../../app/session';
import { T, typeLabel } from '../strings';
import type { Alarm, AlarmDetail } from '../types';
import { DeviceStatusBadge, PriorityBadge, StateBadge } from './common';

type Verb = 'take' | 'verify' | 'qualify' | 'close' | 'reopen';

function detailText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([k, v]) => k !== 'ruleId' && v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k} : ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ; ');
}

function QualifyForm({ onSubmit, pending }: { onSubmit: (body: object) => void; pending: boolean }) {
  const [kind, setKind] = useState('false_alarm');
  const [cause, setCause] = useState('');
  const [fault, setFault] = useState('');
  const [calledAt, setCalledAt] = useState('');
  const [reference, setReference] = useState('');
  const [outcome, setOutcome] = useState('');
  const [notes, setNotes] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit({
      qualification: kind,
      ...(kind === 'false_alarm' && { cause }),
      ...(kind === 'technical_fault' && { fault }),
      ...(kind === 'police_called' && { police: { calledAt: calledAt ? new Date(calledAt).toISOString() : '', reference, outcome } }),
      ...(notes && { notes }),
    });
  };
  return (
    <Stack component="form" gap="sm" onSubmit={submit} maw={560}>
      <Radio.Group label={T.alarm.qualification} value={kind} onChange={setKind} required>
        <Stack gap={6} mt={6}>
          {Object.entries(T.qualifications).map(([value, label]) => (
            <Radio key={value} value={value} label={label} />
          ))}
        </Stack>
      </Radio.Group>
      {kind === 'false_alarm' && <TextInput id="q-cause" label={T.alarm.cause} required value={cause} onChange={(e) => setCause(e.currentTarget.value)} />}
      {kind === 'technical_fault' && <TextInput id="q-fault" label={T.alarm.fault} required value={fault} onChange={(e) => setFault(e.currentTarget.value)} />}
      {kind === 'police_called' && (
        <>
          <TextInput id="q-called" type="datetime-local" label={T.alarm.policeAt} required value={calledAt} onChange={(e) => setCalledAt(e.currentTarget.value)} />
          <TextInput id="q-ref" label={T.alarm.policeRef} required value={reference} onChange={(e) => setReference(e.currentTarget.value)} />
          <TextInput id="q-outcome" label={T.alarm.policeOutcome} required value={outcome} onChange={(e) => setOutcome(e.currentTarget.value)} />
        </>
      )}
      <Textarea label={T.alarm.notes} value={notes} onChange={(e) => setNotes(e.currentTarget.value)} autosize minRows={2} />
      <Group>
        <Button type="submit" loading={pending}>
          {T.alarm.submitQualify}
        </Button>
      </Group>
    </Stack>
  );
}

function TextForm({ label, submitLabel, minLength, onSubmit, pending, name }: { label: string; submitLabel: string; minLength: number; onSubmit: (text: string) => void; pending: boolean; name: string }) {
  const [text, setText] = useState('');
  return (
    <Stack
      component="form"
      gap="sm"
      maw={560}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit(text);
      }}
    >
      <Textarea id={`f-${name}`} label={label} required minLength={minLength} value={text} onChange={(e) => setText(e.currentTarget.value)} autosize minRows={3} />
      <Group>
        <Button type="submit" loading={pending}>
          {submitLabel}
        </Button>
      </Group>
    </Stack>
  );
}

export function AlarmPage() {
  const { id } = useParams();
  const session = useCurrentSession();
  const queryClient = useQueryClient();
  const canAct = (session.permissions.security_alarm ?? []).includes('update');
  const [done, setDone] = useState<string | null>(null);
  const { data, error, refetch } = useQuery({ queryKey: ['security', 'alarm', id], queryFn: () => api<AlarmDetail>(`/api/security/alarms/${id}`) });
  const act = useMutation({
    mutationFn: ({ verb, body }: { verb: Verb; body?: object }) => api<Alarm>(`/api/security/alarms/${id}/${verb}`, { method: 'POST', body: body ?? {} }),
    onSuccess: (alarm) => {
      setDone(`${T.alarm.done} ${T.states[alarm.state]}.`);
      void queryClient.invalidateQueries({ queryKey: ['security'] });
    },
    onError: () => setDone(null),
  });

  const alarm = data?.alarm;
  const mine = alarm?.takenBy === session.user.id || session.user.role === 'supervisor';
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (!alarm || !canAct || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || event.ctrlKey || event.metaKey || event.altKey) return;
      if ((event.key === 'p' || event.key === 'P') && alarm.state === 'new') act.mutate({ verb: 'take' });
      else if ((event.key === 'v' || event.key === 'V') && alarm.state === 'taken' && mine) act.mutate({ verb: 'verify' });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [alarm, canAct, mine, act]);

  if (error) return <LoadError error={error} onRetry={() => void refetch()} />;
  if (!data || !alarm) return <Loading />;
  const refusal = act.error instanceof ApiError ? act.error : null;

  return (
    <>
      <PageHeader
        title={T.alarm.title(alarm.title)}
        actions={
          <>
            {canAct && alarm.state === 'new' && (
              <Button onClick={() => act.mutate({ verb: 'take' })} loading={act.isPending}>
                {T.alarm.take}
              </Button>
            )}
            {canAct && alarm.state === 'taken' && mine && (
              <Button onClick={() => act.mutate({ verb: 'verify' })} loading={act.isPending}>
                {T.alarm.verify}
              </Button>
            )}
            {(alarm.state === 'qualified' || alarm.state === 'closed') && (
              <Anchor component={Link} to={`/securite/alarmes/${alarm.id}/rapport`}>
                {T.alarm.printReport}
              </Anchor>
            )}
            <Anchor component={Link} to="/securite/alarmes">
              {T.alarm.back}
            </Anchor>
          </>
        }
      >
        <Group gap="xs">
          <PriorityBadge priority={alarm.priority} />
          <StateBadge state={alarm.state} />
          {alarm.escalationLevel > 0 && <Text c="red.9">{T.alarm.escalated(alarm.escalationLevel)}</Text>}
        </Group>
      </PageHeader>
      <div aria-live="polite">
        {done && !act.error && (
          <Alert color="green" mb="md" data-testid="alarm-done">
            {done}
          </Alert>
        )}
        {refusal && (
          <Alert color="red" title={T.alarm.refused} role="alert" mb="md">
            {refusal.message}
            {refusal.details.length > 0 && <List size="sm">{refusal.details.map((d) => <List.Item key={d.field}>{d.message}</List.Item>)}</List>}
          </Alert>
        )}
      </div>
      <Grid gap="xl">
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Section id="alarm-summary" title={T.alarm.summary}>
            <Table>
              <Table.Tbody>
                <Table.Tr>
                  <Table.Th scope="row">{T.alarm.site}</Table.Th>
                  <Table.Td>{alarm.siteName}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th scope="row">{T.alarm.device}</Table.Th>
                  <Table.Td>{data.device ? `${data.device.name} (${data.device.code})` : '—'}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th scope="row">{T.alarm.events}</Table.Th>
                  <Table.Td>{alarm.eventCount}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th scope="row">{T.alarm.firstAt}</Table.Th>
                  <Table.Td>{formatDateTime(alarm.firstEventAt)}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th scope="row">{T.alarm.lastAt}</Table.Th>
                  <Table.Td>{formatDateTime(alarm.lastEventAt)}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th scope="row">{T.alarm.deadline}</Table.Th>
                  <Table.Td>{formatDateTime(alarm.deadlineAt)}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th scope="row">{T.alarm.takenBy}</Table.Th>
                  <Table.Td data-testid="taken-by">{alarm.takenByLabel ?? '—'}</Table.Td>
                </Table.Tr>
                {alarm.qualification && (
                  <Table.Tr>
                    <Table.Th scope="row">{T.alarm.qualification}</Table.Th>
                    <Table.Td>
                      {T.qualifications[alarm.qualification]}
                      {alarm.qualificationDetails && <Text size="sm">{detailText(alarm.qualificationDetails)}</Text>}
                    </Table.Td>
                  </Table.Tr>
                )}
              </Table.Tbody>
            </Table>
          </Section>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="lg">
            {(alarm.state === 'taken' || alarm.state === 'verification') && (
              <Section id="alarm-verification" title={T.alarm.verification}>
                <Stack gap="sm">
                  <Text fw={600}>{T.alarm.cameras}</Text>
                  <List>
                    {data.cameras.map((c) => (
                      <List.Item key={c.id}>
                        {c.streamRef ? <Anchor href={c.streamRef}>{T.alarm.cameraLink(c.name)}</Anchor> : `${c.name} (${T.alarm.noStream})`} <DeviceStatusBadge status={c.status} />
                        {c.zoneRestricted && (
                          <Text span size="sm" c="red.9">
                            {' '}
                            — {T.alarm.restricted}
                          </Text>
                        )}
                      </List.Item>
                    ))}
                  </List>
                  <Anchor component={Link} to={`/sites/${alarm.siteId}`}>
                    {T.alarm.plan}
                  </Anchor>
                  <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
                    <legend style={{ fontWeight: 600, marginBottom: 6 }}>{data.procedure ? `${T.alarm.procedure} : ${data.procedure.title}` : T.alarm.procedure}</legend>
                    {data.procedure ? (
                      <Stack gap={6}>
                        {data.procedure.steps.map((step) => (
                          <Checkbox key={step} label={step} />
                        ))}
                      </Stack>
                    ) : (
                      <Text>{T.alarm.noProcedure}</Text>
                    )}
                  </fieldset>
                </Stack>
              </Section>
            )}
            {canAct && alarm.state === 'verification' && mine && (
              <Section id="alarm-qualify" title={T.alarm.qualify}>
                <QualifyForm pending={act.isPending} onSubmit={(body) => act.mutate({ verb: 'qualify', body })} />
              </Section>
            )}
            {canAct && alarm.state === 'qualified' && (
              <Section id="alarm-close" title={T.alarm.close}>
                <TextForm name="report" label={T.alarm.report} submitLabel={T.alarm.submitClose} minLength={10} pending={act.isPending} onSubmit={(report) => act.mutate({ verb: 'close', body: { report } })} />
              </Section>
            )}
            {canAct && (alarm.state === 'qualified' || alarm.state === 'closed') && (
              <Section id="alarm-reopen" title={T.alarm.reopen}>
                <TextForm name="reason" label={T.alarm.reason} submitLabel={T.alarm.submitReopen} minLength={3} pending={act.isPending} onSubmit={(reason) => act.mutate({ verb: 'reopen', body: { reason } })} />
              </Section>
            )}
            {data.tickets.length > 0 && (
              <Section id="alarm-tickets" title={T.alarm.tickets}>
                <List>
                  {data.tickets.map((k) => (
                    <List.Item key={k.id}>
                      {k.description} — {k.status} ({formatDateTime(k.createdAt)}, {k.createdBy})
                    </List.Item>
                  ))}
                </List>
              </Section>
            )}
          </Stack>
        </Grid.Col>
      </Grid>
      <Stack gap="lg" mt="xl">
        <Section id="alarm-events" title={T.alarm.events}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                {Object.values(T.alarm.eventsColumns).map((l) => (
                  <Table.Th key={l}>{l}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.events.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>{formatDateTime(e.occurredAt)}</Table.Td>
                  <Table.Td>{typeLabel(e.type)}</Table.Td>
                  <Table.Td>{e.deviceName}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{detailText(e.details)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Section>
        <Section id="alarm-history" title={T.alarm.history}>
          <HistoryTable history={data.history} />
        </Section>
      </Stack>
    </>
  );
}

export function HistoryTable({ history }: { history: AlarmDetail['history'] }) {
  return (
    <Table striped>
      <Table.Thead>
        <Table.Tr>
          {Object.values(T.alarm.historyColumns).map((l) => (
            <Table.Th key={l}>{l}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {history.map((h, i) => (
          <Table.Tr key={i}>
            <Table.Td>{formatDateTime(h.at)}</Table.Td>
            <Table.Td>{h.actorLabel === 'system' ? 'Système' : h.actorLabel}</Table.Td>
            <Table.Td>{T.alarm.actions[h.action] ?? h.action}</Table.Td>
            <Table.Td>
              <Text size="sm">{detailText(h.details)}</Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
