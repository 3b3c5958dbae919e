import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Group, NumberInput, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { api, ApiError } from '../../../app/api';
import { ErrorSummary, formatDateTime, LoadError, Loading, PageHeader } from '../../../app/components';
import { usePermission } from '../../../app/session';
import { TONE } from '../../../app/theme';
import { T } from '../strings';
import type { Authorisation } from '../types';
import { DataTable, errorsOf, formatDay, sitesOf, Tag, useCameras } from './common';

const A = T.authorisations;

interface Draft {
  siteId: string | null;
  siteName: string | null;
  reference: string;
  issuedOn: string;
  expiresOn: string;
  retentionDays: number | string;
}

const LABELS: Record<string, string> = {
  '/params/siteId': A.site,
  '/body/reference': A.reference,
  '/body/issuedOn': A.issuedOn,
  '/body/expiresOn': A.expiresOn,
  '/body/retentionDays': A.retentionDays,
};
const fieldId = (field: string) => `auth-${field.split('/').pop()}`;

/** Edits a site's authorisation, or records one for a site (of those with cameras) that has none. */
function AuthorisationForm({ initial, taken, onDone, onCancel }: { initial: Draft; taken: Set<string>; onDone: () => void; onCancel: () => void }) {
  const queryClient = useQueryClient();
  const isNew = initial.siteId === null;
  const cameras = useCameras(isNew);
  const [d, setD] = useState<Draft>(initial);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setD((old) => ({ ...old, [key]: value }));
  const save = useMutation({
    mutationFn: () =>
      api<Authorisation>(`/api/evidence/authorisations/${d.siteId ?? ''}`, {
        method: 'PUT',
        body: { reference: d.reference.trim(), issuedOn: d.issuedOn, expiresOn: d.expiresOn, retentionDays: d.retentionDays === '' ? 0 : Number(d.retentionDays) },
      }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['evidence', 'authorisations'] });
      onDone();
    },
  });
  const refusal = save.error instanceof ApiError ? save.error : null;
  const errorOf = (field: string) => errorsOf(refusal)(`/body/${field}`);
  const sites = sitesOf(cameras.data ?? []).filter((s) => !taken.has(s.value));
  return (
    <Stack
      component="form"
      gap="sm"
      maw={560}
      mb="xl"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (d.siteId) save.mutate();
      }}
    >
      <Title order={2} fz="h4">
        {isNew ? A.create : A.edit(initial.siteName ?? '')}
      </Title>
      {refusal && <ErrorSummary title={A.errors} message={refusal.message} details={refusal.details} labels={LABELS} fieldId={fieldId} />}
      {isNew && (
        <Select id={fieldId('siteId')} label={A.site} description={A.siteHint} required searchable data={sites} value={d.siteId} onChange={(v) => set('siteId', v)} nothingFoundMessage="—" />
      )}
      <TextInput id={fieldId('reference')} label={A.reference} required maxLength={100} value={d.reference} onChange={(e) => set('reference', e.currentTarget.value)} error={errorOf('reference')} />
      <Group grow align="flex-start">
        <TextInput id={fieldId('issuedOn')} type="date" label={A.issuedOn} required value={d.issuedOn} onChange={(e) => set('issuedOn', e.currentTarget.value)} error={errorOf('issuedOn')} />
        <TextInput id={fieldId('expiresOn')} type="date" label={A.expiresOn} required value={d.expiresOn} onChange={(e) => set('expiresOn', e.currentTarget.value)} error={errorOf('expiresOn')} />
      </Group>
      {/* No maximum here: the server refuses more than the law allows and says why. */}
      <NumberInput id={fieldId('retentionDays')} label={A.retentionDays} description={A.retentionHint} required min={1} allowDecimal={false} value={d.retentionDays} onChange={(v) => set('retentionDays', v)} error={errorOf('retentionDays')} w={240} />
      <Group>
        <Button type="submit" loading={save.isPending} disabled={!d.siteId}>
          {A.save}
        </Button>
        <Button variant="default" onClick={onCancel}>
          {T.cancel}
        </Button>
      </Group>
    </Stack>
  );
}

export function AuthorisationsPage() {
  const mayEdit = usePermission('evidence_authorisation', 'update');
  const [editing, setEditing] = useState<Draft | null>(null);
  const [saved, setSaved] = useState(false);
  const { data, error, refetch } = useQuery({ queryKey: ['evidence', 'authorisations'], queryFn: () => api<Authorisation[]>('/api/evidence/authorisations') });
  const start = (draft: Draft) => {
    setSaved(false);
    setEditing(draft);
  };
  const columns = Object.entries(A.columns).filter(([key]) => mayEdit || key !== 'edit');
  return (
    <>
      <PageHeader
        title={A.title}
        actions={
          mayEdit &&
          !editing && <Button onClick={() => start({ siteId: null, siteName: null, reference: '', issuedOn: '', expiresOn: '', retentionDays: 30 })}>{A.add}</Button>
        }
      >
        <Text>{A.intro}</Text>
      </PageHeader>
      <div aria-live="polite">
        {saved && (
          <Alert color="green" mb="md" data-testid="authorisation-saved">
            {A.saved}
          </Alert>
        )}
      </div>
      {editing && (
        <AuthorisationForm
          key={editing.siteId ?? 'new'}
          initial={editing}
          taken={new Set(data?.map((a) => a.siteId))}
          onDone={() => {
            setSaved(true);
            setEditing(null);
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && data.length === 0 && <Text>{A.empty}</Text>}
      {data && data.length > 0 && (
        <DataTable label={A.title} columns={columns.map(([, l]) => l)} minWidth={900} testId="authorisations-table">
          {data.map((a) => (
            <Table.Tr key={a.siteId}>
              <Table.Td>{a.siteName}</Table.Td>
              <Table.Td>{a.reference}</Table.Td>
              <Table.Td>{formatDay(a.issuedOn)}</Table.Td>
              <Table.Td>{formatDay(a.expiresOn)}</Table.Td>
              <Table.Td>{A.days(a.retentionDays)}</Table.Td>
              <Table.Td>
                <Tag color={a.expired ? 'red.9' : TONE.success}>
                  {a.expired ? A.expired : A.valid}
                </Tag>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{A.updated(formatDateTime(a.updatedAt), a.updatedBy)}</Text>
              </Table.Td>
              {mayEdit && (
                <Table.Td>
                  <Button size="xs" variant="default" onClick={() => start({ ...a })} aria-label={`${A.columns.edit} : ${a.siteName}`}>
                    {A.columns.edit}
                  </Button>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </DataTable>
      )}
    </>
  );
}
