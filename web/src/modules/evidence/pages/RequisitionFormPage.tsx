import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Grid, Group, List, Select, Stack, Text, TextInput } from '@mantine/core';
import { api, ApiError } from '../../../app/api';
import { ErrorSummary, formatDateTime, LoadError, Loading, PageHeader } from '../../../app/components';
import { T } from '../strings';
import type { Requisition } from '../types';
import { errorsOf, isoOf, sitesOf, useCameras } from './common';

const F = T.form;

interface Values {
  number: string;
  siteId: string | null;
  cameraIds: string[];
  from: string;
  to: string;
  deadline: string;
  authority: string;
  officerName: string;
  officerService: string;
  officerEmail: string;
  legalBasis: string;
}

const EMPTY: Values = { number: '', siteId: null, cameraIds: [], from: '', to: '', deadline: '', authority: '', officerName: '', officerService: '', officerEmail: '', legalBasis: '' };

/** API field → the label of the input that shows its error. */
const LABELS: Record<string, string> = {
  '/body/number': F.number,
  '/body/siteId': F.site,
  '/body/cameraIds': F.cameras,
  '/body/from': F.from,
  '/body/to': F.to,
  '/body/deadline': F.deadline,
  '/body/authority': F.authority,
  '/body/officerName': F.officerName,
  '/body/officerService': F.officerService,
  '/body/officerEmail': F.officerEmail,
  '/body/legalBasis': F.legalBasis,
};
const fieldId = (field: string) => `req-${field.replace(/^\/body\//, '')}`;

/** The API's instants (2026-11-30T14:00:00.000Z) in a message, as the console shows dates. */
const readableDates = (text: string) => text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, (iso) => formatDateTime(iso));

/** The API found no recording of the cameras over the period: what it says exists, camera by camera. */
function PurgedAlert({ error }: { error: ApiError }) {
  return (
    <Alert color="red.9" variant="filled" title={F.purged} role="alert" mb="md" data-testid="recordings-purged">
      <Text>{readableDates(error.message)}</Text>
      {error.details.length > 0 && (
        <List mt="xs">
          {error.details.map((d) => (
            <List.Item key={d.field}>
              {d.field.replace(/^\/body\/cameraIds\//, '')} : {readableDates(d.message)}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}

export function RequisitionFormPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const cameras = useCameras();
  const [v, setValues] = useState<Values>(EMPTY);
  const set = <K extends keyof Values>(key: K, value: Values[K]) => setValues((old) => ({ ...old, [key]: value }));
  const save = useMutation({
    mutationFn: () =>
      api<Requisition>('/api/evidence/requisitions', {
        method: 'POST',
        body: {
          number: v.number.trim(),
          siteId: v.siteId ?? '',
          cameraIds: v.cameraIds,
          from: isoOf(v.from),
          to: isoOf(v.to),
          deadline: v.deadline,
          authority: v.authority.trim(),
          officerName: v.officerName.trim(),
          officerService: v.officerService.trim(),
          ...(v.officerEmail.trim() && { officerEmail: v.officerEmail.trim() }),
          legalBasis: v.legalBasis.trim(),
        },
      }),
    onSuccess: async (saved) => {
      queryClient.setQueryData(['evidence', 'requisition', saved.id], saved);
      await queryClient.invalidateQueries({ queryKey: ['evidence', 'requisitions'] });
      void navigate(`/preuves/requisitions/${saved.id}`);
    },
  });
  const refusal = save.error instanceof ApiError ? save.error : null;
  const purged = refusal?.code === 'recordings_purged' ? refusal : null;
  const errorOf = (field: string) => (purged ? undefined : errorsOf(refusal)(`/body/${field}`));
  const siteCameras = (cameras.data ?? []).filter((c) => c.siteId === v.siteId);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const text = (key: Exclude<keyof Values, 'siteId' | 'cameraIds'>, label: string, { required = true, ...extra }: { description?: string; type?: string; required?: boolean; maxLength?: number } = {}) => (
    <TextInput id={fieldId(`/body/${key}`)} label={label} required={required} value={v[key]} onChange={(e) => set(key, e.currentTarget.value)} error={errorOf(key)} {...extra} />
  );

  return (
    <>
      <PageHeader
        title={F.title}
        actions={
          <Button variant="default" component={Link} to="/preuves/requisitions">
            {F.back}
          </Button>
        }
      >
        <Text>{F.intro}</Text>
      </PageHeader>
      {cameras.error && <LoadError error={cameras.error} onRetry={() => void cameras.refetch()} />}
      {cameras.isPending && <Loading />}
      <div aria-live="polite">{purged && <PurgedAlert error={purged} />}</div>
      {refusal && !purged && <ErrorSummary title={F.errors} message={refusal.message} details={refusal.details} labels={LABELS} fieldId={fieldId} />}
      {cameras.data && (
        <form onSubmit={submit} noValidate>
          <Grid gap="xl">
            <Grid.Col span={{ base: 12, md: 6 }}>
              <Stack gap="md">
                {text('number', F.number, { description: F.numberHint, maxLength: 60 })}
                <Select
                  id={fieldId('/body/siteId')}
                  label={F.site}
                  description={F.siteHint}
                  required
                  searchable
                  data={sitesOf(cameras.data)}
                  value={v.siteId}
                  onChange={(siteId) => setValues((old) => ({ ...old, siteId, cameraIds: [] }))}
                  error={errorOf('siteId')}
                />
                <Checkbox.Group label={F.cameras} description={v.siteId ? undefined : F.camerasHint} required value={v.cameraIds} onChange={(ids) => set('cameraIds', ids)} error={errorOf('cameraIds')}>
                  <Stack gap={6} mt={6}>
                    {siteCameras.map((c, i) => (
                      <Checkbox key={c.id} id={i === 0 ? fieldId('/body/cameraIds') : undefined} value={c.id} label={`${c.code} — ${c.name}`} />
                    ))}
                  </Stack>
                </Checkbox.Group>
                <Group grow align="flex-start">
                  {text('from', F.from, { type: 'datetime-local' })}
                  {text('to', F.to, { type: 'datetime-local' })}
                </Group>
                {text('deadline', F.deadline, { type: 'date' })}
              </Stack>
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 6 }}>
              <Stack gap="md">
                {text('authority', F.authority, { description: F.authorityHint, maxLength: 200 })}
                {text('officerName', F.officerName, { maxLength: 200 })}
                {text('officerService', F.officerService, { maxLength: 200 })}
                {text('officerEmail', F.officerEmail, { description: F.officerEmailHint, type: 'email', required: false })}
                {text('legalBasis', F.legalBasis, { description: F.legalBasisHint, maxLength: 300 })}
              </Stack>
            </Grid.Col>
          </Grid>
          <Group mt="lg">
            <Button type="submit" loading={save.isPending}>
              {F.submit}
            </Button>
          </Group>
        </form>
      )}
    </>
  );
}
