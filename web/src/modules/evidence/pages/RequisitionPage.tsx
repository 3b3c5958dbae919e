import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Group, List, Paper, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { api, ApiError } from '../../../app/api';
import { ErrorSummary, formatDateTime, LoadError, Loading, PageHeader, Section } from '../../../app/components';
import { usePermission } from '../../../app/session';
import { TONE } from '../../../app/theme';
import type { Page } from '../../../app/types';
import { T } from '../strings';
import type { EvidencePackage, Requisition, Segment, Verification } from '../types';
import { CameraCell, DataTable, DeadlineBadge, errorsOf, Facts, formatBytes, formatDay, formatInstant, formatPeriod, isoOf, PackageStatusBadge, ReasonDialog, Refusal, RequisitionStatusBadge, SegmentsTable } from './common';

const D = T.detail;
const P = T.pkg;

/** The two actions on a requisition that ask for a reason. */
const DIALOGS = {
  extract: { title: D.extract, intro: D.extractIntro, submit: D.extractSubmit, color: undefined },
  release: { title: D.release, intro: D.releaseIntro, submit: D.releaseSubmit, color: 'red.9' },
} as const;

function CoverageTable({ requisition }: { requisition: Requisition }) {
  return (
    <DataTable label={D.coverage} columns={Object.values(D.coverageColumns)} minWidth={760} testId="coverage-table">
      {requisition.coverage.map((c) => (
        <Table.Tr key={c.cameraId}>
          <CameraCell code={c.cameraCode} name={c.cameraName} />
          <Table.Td>{c.segments}</Table.Td>
          <Table.Td>{formatBytes(c.sizeBytes)}</Table.Td>
          <Table.Td>{formatInstant(c.from)}</Table.Td>
          <Table.Td>{formatInstant(c.to)}</Table.Td>
          <Table.Td>{c.available ? formatPeriod(c.available.from, c.available.to) : T.none}</Table.Td>
        </Table.Tr>
      ))}
    </DataTable>
  );
}

/** The requisition's held segments, for users who may read the recordings index; the others see the count. */
function Holds({ requisition }: { requisition: Requisition }) {
  const mayReadRecordings = usePermission('evidence_recording');
  const { data, error, refetch } = useQuery({
    queryKey: ['evidence', 'segments', 'held', requisition.id, requisition.heldSegments],
    queryFn: () => api<Page<Segment>>('/api/evidence/segments', { query: { requisitionId: requisition.id, pageSize: 200, sort: 'from' } }),
    enabled: mayReadRecordings && requisition.heldSegments > 0,
  });
  const held = data?.items ?? [];
  return (
    <Section id="req-holds" title={D.holds}>
      <Text mb="xs" data-testid="held-count">
        {D.heldCount(requisition.heldSegments)}
      </Text>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {held.length > 0 && <SegmentsTable segments={held} label={D.holds} testId="held-segments" />}
    </Section>
  );
}

function HandoverForm({ pkg }: { pkg: EvidencePackage }) {
  const queryClient = useQueryClient();
  const [values, setValues] = useState({ handedTo: '', media: '', handedOverAt: '', reason: '' });
  const set = (key: keyof typeof values) => (value: string) => setValues((old) => ({ ...old, [key]: value }));
  const save = useMutation({
    mutationFn: () =>
      api<EvidencePackage>(`/api/evidence/packages/${pkg.id}/handover`, {
        method: 'POST',
        body: { handedTo: values.handedTo.trim(), media: values.media.trim(), reason: values.reason.trim(), ...(values.handedOverAt && { handedOverAt: isoOf(values.handedOverAt) }) },
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['evidence'] }),
  });
  const refusal = save.error instanceof ApiError ? save.error : null;
  const errorOf = (field: string) => errorsOf(refusal)(`/body/${field}`);
  const fieldId = (field: string) => `handover-${pkg.id}-${field.replace(/^\/body\//, '')}`;
  const labels = { '/body/handedTo': P.handedTo, '/body/media': P.media, '/body/handedOverAt': P.handedOverAt, '/body/reason': T.reason };
  const input = (key: keyof typeof values, label: string, extra: { description?: string; type?: string; required?: boolean } = {}) => (
    <TextInput id={fieldId(key)} label={label} required value={values[key]} onChange={(e) => set(key)(e.currentTarget.value)} error={errorOf(key)} maxLength={200} {...extra} />
  );
  return (
    <form
      noValidate
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        save.mutate();
      }}
      aria-labelledby={`handover-${pkg.id}`}
    >
      <Title order={4} fz="h5" id={`handover-${pkg.id}`} mb="xs">
        {P.handover}
      </Title>
      {refusal && <ErrorSummary title={P.handoverErrors} message={refusal.message} details={refusal.details} labels={labels} fieldId={fieldId} />}
      <Stack gap="sm" maw={560}>
        {input('handedTo', P.handedTo)}
        {input('media', P.media, { description: P.mediaHint })}
        {input('handedOverAt', P.handedOverAt, { type: 'datetime-local', required: false })}
        <Textarea id={fieldId('reason')} label={T.reason} required value={values.reason} onChange={(e) => set('reason')(e.currentTarget.value)} error={errorOf('reason')} autosize minRows={2} maxLength={500} />
        <Group>
          <Button type="submit" loading={save.isPending}>
            {P.handoverSubmit}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function VerificationResult({ result }: { result: Verification }) {
  return result.ok ? (
    <Alert color={TONE.success} variant="filled" title={P.verifiedOk} data-testid="verification" data-ok="true">
      <List size="sm" c="white">
        {result.checked.map((line) => (
          <List.Item key={line}>{line}</List.Item>
        ))}
      </List>
    </Alert>
  ) : (
    <Alert color="red.9" variant="filled" title={P.verifiedBad} role="alert" data-testid="verification" data-ok="false">
      <List size="sm" c="white">
        {result.problems.map((line) => (
          <List.Item key={line}>{line}</List.Item>
        ))}
      </List>
    </Alert>
  );
}

function PackageCard({ pkg, mayHandle }: { pkg: EvidencePackage; mayHandle: boolean }) {
  const verify = useMutation({ mutationFn: () => api<Verification>(`/api/evidence/packages/${pkg.id}/verification`) });
  const facts: [string, React.ReactNode][] = [
    [P.facts.status, <PackageStatusBadge key="s" status={pkg.status} />],
    [P.facts.segments, pkg.segmentCount],
    [P.facts.size, formatBytes(pkg.sizeBytes)],
    [P.facts.created, D.createdBy(formatDateTime(pkg.createdAt), pkg.createdBy)],
  ];
  if (pkg.readyAt) facts.push([P.facts.ready, formatDateTime(pkg.readyAt)]);
  if (pkg.manifestSha256) facts.push([P.facts.manifest, <code key="m" style={{ wordBreak: 'break-all' }}>{pkg.manifestSha256}</code>]);
  if (pkg.error) facts.push([P.facts.error, pkg.error]);
  return (
    <Paper withBorder p="md" component="article" aria-labelledby={`pkg-${pkg.id}`} data-testid="package" data-status={pkg.status}>
      <Stack gap="sm">
        <Title order={3} fz="h5" id={`pkg-${pkg.id}`} style={{ wordBreak: 'break-all' }}>
          {pkg.name}
        </Title>
        <Facts items={facts} />
        {pkg.status === 'building' && <Loading label={P.building} />}
        {pkg.status === 'ready' && (
          <Group gap="sm">
            <Button component="a" href={`/api/evidence/packages/${pkg.id}/download`} download={`${pkg.name}.tar`} aria-label={P.downloadLabel(pkg.name)}>
              {P.download}
            </Button>
            <Button variant="default" onClick={() => verify.mutate()} loading={verify.isPending} aria-label={P.verifyLabel(pkg.name)}>
              {P.verify}
            </Button>
          </Group>
        )}
        <div aria-live="polite">
          {verify.data && <VerificationResult result={verify.data} />}
          <Refusal error={verify.error} />
        </div>
        {pkg.handedOverAt ? (
          <Text fw={600} data-testid="handed-over">
            {P.handedOver(formatDateTime(pkg.handedOverAt), pkg.handedTo ?? '—', pkg.handoverMedia ?? '—', pkg.handedOverBy ?? '—')}
          </Text>
        ) : (
          mayHandle && pkg.status === 'ready' && <HandoverForm pkg={pkg} />
        )}
      </Stack>
    </Paper>
  );
}

export function RequisitionPage() {
  const { id = '' } = useParams();
  const queryClient = useQueryClient();
  const mayHandle = usePermission('evidence_requisition', 'update');
  const [dialog, setDialog] = useState<'extract' | 'release' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const requisition = useQuery({ queryKey: ['evidence', 'requisition', id], queryFn: () => api<Requisition>(`/api/evidence/requisitions/${id}`) });
  const packages = useQuery({
    queryKey: ['evidence', 'packages', id],
    queryFn: () => api<EvidencePackage[]>(`/api/evidence/requisitions/${id}/packages`),
    // A package builds in the background: follow it until it is ready or has failed.
    refetchInterval: (query) => (query.state.data?.some((p) => p.status === 'building') ? 2000 : false),
  });
  const building = packages.data?.some((p) => p.status === 'building') ?? false;
  const wasBuilding = useRef(false);
  useEffect(() => {
    // A finished build moves the requisition to "extracted".
    if (wasBuilding.current && !building) void queryClient.invalidateQueries({ queryKey: ['evidence', 'requisition', id] });
    wasBuilding.current = building;
  }, [building, id, queryClient]);

  const act = useMutation({
    mutationFn: ({ verb, reason }: { verb: 'extract' | 'release'; reason: string }) =>
      api<EvidencePackage | Requisition>(`/api/evidence/requisitions/${id}/${verb === 'extract' ? 'packages' : 'release'}`, { method: 'POST', body: { reason } }),
    onSuccess: async (_, { verb }) => {
      setDialog(null);
      setNotice(verb === 'extract' ? D.extractStarted : D.released);
      await queryClient.invalidateQueries({ queryKey: ['evidence'] });
    },
  });
  const open = (verb: 'extract' | 'release') => {
    act.reset();
    setNotice(null);
    setDialog(verb);
  };

  if (requisition.error) return <LoadError error={requisition.error} onRetry={() => void requisition.refetch()} />;
  const r = requisition.data;
  if (!r) return <Loading />;
  const active = r.status !== 'closed';
  return (
    <>
      <PageHeader
        title={D.title(r.number)}
        actions={
          <>
            {mayHandle && active && (
              <Button color="red.9" variant="outline" onClick={() => open('release')}>
                {D.release}
              </Button>
            )}
            <Button variant="default" component={Link} to="/preuves/requisitions">
              {D.back}
            </Button>
          </>
        }
      >
        <Group gap="xs">
          <RequisitionStatusBadge status={r.status} />
          <DeadlineBadge requisition={r} />
        </Group>
      </PageHeader>
      <div aria-live="polite">
        {notice && (
          <Alert color="green" mb="md" data-testid="requisition-notice">
            {notice}
          </Alert>
        )}
      </div>
      <Stack gap="xl">
        <Section id="req-summary" title={D.summary}>
          <Facts
            items={[
              [D.facts.site, r.siteName],
              [D.facts.authority, r.authority],
              [D.facts.officer, `${r.officerName} — ${r.officerService}`],
              ...(r.officerEmail ? [[D.facts.account, r.officerEmail] as [string, string]] : []),
              [D.facts.legalBasis, r.legalBasis],
              [D.facts.period, formatPeriod(r.from, r.to)],
              [D.facts.deadline, formatDay(r.deadline)],
              [D.facts.created, D.createdBy(formatDateTime(r.createdAt), r.createdBy)],
              ...(r.closedAt ? [[D.facts.closed, formatDateTime(r.closedAt)] as [string, string]] : []),
            ]}
          />
        </Section>
        <Section id="req-coverage" title={D.coverage}>
          <CoverageTable requisition={r} />
        </Section>
        <Holds requisition={r} />
        <Section id="req-packages" title={D.packages}>
          <Stack gap="md">
            {mayHandle && active && !building && (
              <Group>
                <Button onClick={() => open('extract')}>{D.extract}</Button>
              </Group>
            )}
            {packages.error && <LoadError error={packages.error} onRetry={() => void packages.refetch()} />}
            {packages.data?.length === 0 && <Text>{D.noPackage}</Text>}
            {packages.data?.map((p) => <PackageCard key={p.id} pkg={p} mayHandle={mayHandle} />)}
          </Stack>
        </Section>
      </Stack>
      {dialog && (
        <ReasonDialog
          opened
          onClose={() => setDialog(null)}
          title={DIALOGS[dialog].title}
          id={`${dialog}-reason`}
          intro={DIALOGS[dialog].intro}
          submitLabel={DIALOGS[dialog].submit}
          color={DIALOGS[dialog].color}
          pending={act.isPending}
          error={act.error}
          onSubmit={(reason) => act.mutate({ verb: dialog, reason })}
        />
      )}
    </>
  );
}
