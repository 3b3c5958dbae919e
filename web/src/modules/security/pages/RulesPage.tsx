import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Badge, Button, Checkbox, Group, NumberInput, Select, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { api, ApiError } from '../../../app/api';
import { ErrorSummary, LoadError, Loading, PageHeader } from '../../../app/components';
import { usePermission } from '../../../app/session';
import { TONE } from '../../../app/theme';
import { T, typeLabel } from '../strings';
import { EVENT_TYPES, type Rule } from '../types';
import { PriorityBadge } from './common';

type Draft = Omit<Rule, 'id'> & { id?: string };

const EMPTY: Draft = {
  name: '',
  kind: 'event',
  eventType: 'motion',
  otherEventType: null,
  alarmType: '',
  threshold: null,
  correlationWindowSec: null,
  siteId: null,
  deviceId: null,
  windows: [],
  priority: 3,
  groupWindowSec: 300,
  deadlineSec: 180,
  enabled: true,
};

const LABELS: Record<string, string> = {
  '/body/name': T.rules.name,
  '/body/eventType': T.rules.eventType,
  '/body/otherEventType': T.rules.otherEventType,
  '/body/alarmType': T.rules.alarmType,
  '/body/threshold': T.rules.threshold,
  '/body/correlationWindowSec': T.rules.correlation,
  '/body/priority': T.rules.priority,
  '/body/groupWindowSec': T.rules.groupWindow,
  '/body/deadlineSec': T.rules.deadlineSec,
};
const fieldId = (field: string) => `rule-${field.split('/').pop()}`;
const typeOptions = EVENT_TYPES.map((t) => ({ value: t, label: typeLabel(t) }));

function RuleForm({ initial, onDone }: { initial: Draft; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [d, setD] = useState<Draft>(initial);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setD((old) => ({ ...old, [key]: value }));
  const save = useMutation({
    mutationFn: () => {
      const { id, ...body } = d;
      const payload = { ...body, alarmType: body.alarmType || (body.kind === 'event' ? body.eventType : '') };
      return id ? api<Rule>(`/api/security/rules/${id}`, { method: 'PATCH', body: payload }) : api<Rule>('/api/security/rules', { method: 'POST', body: payload });
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['security', 'rules'] });
      onDone();
    },
  });
  const refusal = save.error instanceof ApiError ? save.error : null;
  const num = (v: string | number) => (v === '' ? null : Number(v));
  return (
    <Stack
      component="form"
      gap="sm"
      maw={640}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Title order={2} fz="h4">
        {d.id ? T.rules.edit(initial.name) : T.rules.create}
      </Title>
      {refusal && <ErrorSummary title={T.rules.errors} message={refusal.message} details={refusal.details} labels={LABELS} fieldId={fieldId} />}
      <TextInput id="rule-name" label={T.rules.name} required value={d.name} onChange={(e) => set('name', e.currentTarget.value)} />
      <Select id="rule-kind" label={T.rules.kind} data={Object.entries(T.rules.kinds).map(([value, label]) => ({ value, label }))} value={d.kind} onChange={(v) => set('kind', (v ?? 'event') as Draft['kind'])} allowDeselect={false} />
      <Select id="rule-eventType" label={T.rules.eventType} data={typeOptions} value={d.eventType} onChange={(v) => set('eventType', v ?? 'motion')} allowDeselect={false} searchable />
      {d.kind === 'combination' && <Select id="rule-otherEventType" label={T.rules.otherEventType} data={typeOptions} value={d.otherEventType} onChange={(v) => set('otherEventType', v)} searchable />}
      {d.kind === 'burst' && <NumberInput id="rule-threshold" label={T.rules.threshold} min={2} value={d.threshold ?? ''} onChange={(v) => set('threshold', num(v))} />}
      {d.kind !== 'event' && (
        <>
          <NumberInput id="rule-correlationWindowSec" label={T.rules.correlation} min={1} value={d.correlationWindowSec ?? ''} onChange={(v) => set('correlationWindowSec', num(v))} />
          <TextInput id="rule-alarmType" label={T.rules.alarmType} value={d.alarmType} onChange={(e) => set('alarmType', e.currentTarget.value)} description="intrusion, access_denied_burst…" />
        </>
      )}
      <Checkbox.Group label={T.rules.windowsLabel} value={d.windows} onChange={(v) => set('windows', v)}>
        <Group mt={6}>
          {Object.entries(T.rules.windows).map(([value, label]) => (
            <Checkbox key={value} value={value} label={label} />
          ))}
        </Group>
      </Checkbox.Group>
      <Select id="rule-priority" label={T.rules.priority} data={['1', '2', '3', '4', '5']} value={String(d.priority)} onChange={(v) => set('priority', Number(v ?? 3))} allowDeselect={false} />
      <NumberInput id="rule-groupWindowSec" label={T.rules.groupWindow} min={0} value={d.groupWindowSec} onChange={(v) => set('groupWindowSec', Number(v) || 0)} />
      <NumberInput id="rule-deadlineSec" label={T.rules.deadlineSec} min={30} value={d.deadlineSec} onChange={(v) => set('deadlineSec', Number(v) || 30)} />
      <Switch label={T.rules.enabled} checked={d.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
      <Group>
        <Button type="submit" loading={save.isPending}>
          {T.rules.save}
        </Button>
        <Button variant="default" onClick={onDone}>
          {T.rules.cancel}
        </Button>
      </Group>
    </Stack>
  );
}

export function RulesPage() {
  const canEdit = usePermission('security_rule', 'update');
  const [editing, setEditing] = useState<Draft | null>(null);
  const [saved, setSaved] = useState(false);
  const { data, error, refetch } = useQuery({ queryKey: ['security', 'rules'], queryFn: () => api<Rule[]>('/api/security/rules') });
  const trigger = (r: Rule) =>
    r.kind === 'burst' ? `${typeLabel(r.eventType)} : ${T.rules.burst(r.threshold, r.correlationWindowSec)}` : r.kind === 'combination' ? `${typeLabel(r.eventType)} ${T.rules.pair(typeLabel(r.otherEventType ?? ''), r.correlationWindowSec)}` : typeLabel(r.eventType);
  return (
    <>
      <PageHeader
        title={T.rules.title}
        actions={
          canEdit &&
          !editing && (
            <Button onClick={() => { setSaved(false); setEditing(EMPTY); }}>
              {T.rules.create}
            </Button>
          )
        }
      >
        <Text>{T.rules.intro}</Text>
      </PageHeader>
      <div aria-live="polite">
        {saved && (
          <Alert color="green" mb="md">
            {T.rules.saved}
          </Alert>
        )}
      </div>
      {editing && (
        <RuleForm
          key={editing.id ?? 'new'}
          initial={editing}
          onDone={() => {
            setSaved(true);
            setEditing(null);
          }}
        />
      )}
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && !editing && (
        <Table striped aria-label={T.rules.title}>
          <Table.Thead>
            <Table.Tr>
              {Object.entries(T.rules.columns)
                .filter(([k]) => canEdit || k !== 'edit')
                .map(([, l]) => (
                  <Table.Th key={l}>{l}</Table.Th>
                ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>{r.name}</Table.Td>
                <Table.Td>{T.rules.kinds[r.kind]}</Table.Td>
                <Table.Td>{trigger(r)}</Table.Td>
                <Table.Td>{r.windows.length ? r.windows.map((w) => T.rules.windows[w]).join(', ') : T.rules.always}</Table.Td>
                <Table.Td>
                  <PriorityBadge priority={r.priority} />
                </Table.Td>
                <Table.Td>{T.rules.seconds(r.groupWindowSec)}</Table.Td>
                <Table.Td>{T.rules.seconds(r.deadlineSec)}</Table.Td>
                <Table.Td>
                  <Badge variant="filled" color={r.enabled ? TONE.success : 'gray.8'} tt="none">
                    {r.enabled ? 'oui' : 'non'}
                  </Badge>
                </Table.Td>
                {canEdit && (
                  <Table.Td>
                    <Button size="xs" variant="default" onClick={() => { setSaved(false); setEditing(r); }} aria-label={`${T.rules.columns.edit} : ${r.name}`}>
                      {T.rules.columns.edit}
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </>
  );
}
