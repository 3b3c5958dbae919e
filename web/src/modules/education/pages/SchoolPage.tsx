import { useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Anchor, Badge, Button, Group, Select, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { api, errorMessage } from '../../../app/api';
import { ListFooter, LoadError, Loading, PageHeader, Section, formatNumber } from '../../../app/components';
import { usePermission } from '../../../app/session';
import { TONE } from '../../../app/theme';
import type { Page } from '../../../app/types';
import { T } from '../strings';
import type { Asset, Checklist, LicencePool, Pupil, RoomAudit, School, SchoolClass } from '../types';

type Notice = { tone: 'ok' | 'error'; text: string } | null;

/** One result line for the section's last action, announced to screen readers. */
function NoticeLine({ notice }: { notice: Notice }) {
  return (
    <div aria-live="polite">
      {notice && (
        <Alert color={notice.tone === 'ok' ? 'green' : 'red'} role={notice.tone === 'error' ? 'alert' : undefined} data-testid="education-notice">
          {notice.text}
        </Alert>
      )}
    </div>
  );
}

function ClassesSection({ schoolId }: { schoolId: string }) {
  const queryClient = useQueryClient();
  const canAssign = usePermission('education_asset', 'update');
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const { data, error, refetch } = useQuery({ queryKey: ['education', 'classes', schoolId], queryFn: () => api<SchoolClass[]>(`/api/education/schools/${schoolId}/classes`) });

  async function run(key: string, action: () => Promise<string>) {
    setBusy(key);
    setNotice(null);
    try {
      setNotice({ tone: 'ok', text: await action() });
      await queryClient.invalidateQueries({ queryKey: ['education'] });
    } catch (e) {
      setNotice({ tone: 'error', text: errorMessage(e) });
    } finally {
      setBusy(null);
    }
  }

  return (
    <Section id="education-classes" title={T.school.classes}>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && (
        <Table striped data-testid="classes-table">
          <Table.Thead>
            <Table.Tr>
              {Object.values(T.school.classColumns).map((label) => (
                <Table.Th key={label}>{label}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>{c.name}</Table.Td>
                <Table.Td>{c.levels.join(', ')}</Table.Td>
                <Table.Td>{formatNumber(c.pupils)}</Table.Td>
                <Table.Td>
                  {canAssign && (
                    <Group gap="xs">
                      <Button
                        size="xs"
                        aria-label={T.school.assignSetLabel(c.name)}
                        loading={busy === `set-${c.id}`}
                        onClick={() =>
                          void run(`set-${c.id}`, async () => {
                            const r = await api<{ assigned: unknown[] }>(`/api/education/classes/${c.id}/class-set`, { method: 'POST', body: { type: 'tablet' } });
                            return T.school.assigned(r.assigned.length, c.name);
                          })
                        }
                      >
                        {T.school.assignSet}
                      </Button>
                      <Button
                        size="xs"
                        variant="outline"
                        aria-label={T.school.checkInLabel(c.name)}
                        loading={busy === `in-${c.id}`}
                        onClick={() =>
                          void run(`in-${c.id}`, async () => {
                            const r = await api<{ returned: number }>(`/api/education/classes/${c.id}/check-in`, { method: 'POST', body: { type: 'tablet' } });
                            return T.school.returned(r.returned, c.name);
                          })
                        }
                      >
                        {T.school.checkIn}
                      </Button>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <NoticeLine notice={notice} />
    </Section>
  );
}

function PupilsSection({ schoolId }: { schoolId: string }) {
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const { data, error, refetch } = useQuery({
    queryKey: ['education', 'pupils', schoolId, q, page],
    queryFn: () => api<Page<Pupil>>(`/api/education/schools/${schoolId}/pupils`, { query: { q, page, pageSize: 25, sort: 'className' } }),
    placeholderData: keepPreviousData,
  });
  return (
    <Section id="education-pupils" title={T.school.pupils}>
      <TextInput label={T.school.search} value={q} onChange={(e) => { setQ(e.currentTarget.value); setPage(1); }} maw={360} mb="sm" />
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && (
        <>
          <Table striped data-testid="pupils-table">
            <Table.Thead>
              <Table.Tr>
                {Object.values(T.school.pupilColumns).map((label) => (
                  <Table.Th key={label}>{label}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>{p.schoolRef}</Table.Td>
                  <Table.Td>
                    {p.firstName} {p.lastInitial}.
                  </Table.Td>
                  <Table.Td>{p.level}</Table.Td>
                  <Table.Td>{p.className ?? '—'}</Table.Td>
                  <Table.Td>{p.tablet ?? T.school.noTablet}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <ListFooter total={data.total} page={data.page} pageSize={data.pageSize} onPage={setPage} />
        </>
      )}
    </Section>
  );
}

function FleetSection({ schoolId }: { schoolId: string }) {
  const [page, setPage] = useState(1);
  const { data, error, refetch } = useQuery({
    queryKey: ['education', 'assets', schoolId, page],
    queryFn: () => api<Page<Asset>>('/api/education/assets', { query: { schoolId, page, pageSize: 25, sort: 'type' } }),
    placeholderData: keepPreviousData,
  });
  return (
    <Section id="education-fleet" title={T.school.fleet}>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && (
        <>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                {Object.values(T.school.fleetColumns).map((label) => (
                  <Table.Th key={label}>{label}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td>{a.serial}</Table.Td>
                  <Table.Td>{T.types[a.type] ?? a.type}</Table.Td>
                  <Table.Td>{T.states[a.state] ?? a.state}</Table.Td>
                  <Table.Td>{a.holder ?? '—'}</Table.Td>
                  <Table.Td>{a.room ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <ListFooter total={data.total} page={data.page} pageSize={data.pageSize} onPage={setPage} />
        </>
      )}
    </Section>
  );
}

function RoomAuditSection({ schoolId }: { schoolId: string }) {
  const [room, setRoom] = useState('');
  const [serials, setSerials] = useState('');
  const [report, setReport] = useState<RoomAudit | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    try {
      const r = await api<RoomAudit>(`/api/education/schools/${schoolId}/room-audits`, { method: 'POST', body: { room, serials: serials.split(/\s+/).filter(Boolean) } });
      setReport(r);
      setNotice({ tone: 'ok', text: T.school.auditResult({ expected: r.expected, found: r.found.length, missing: r.missing.length, unexpected: r.unexpected.length }) });
    } catch (e) {
      setNotice({ tone: 'error', text: errorMessage(e) });
    }
  }
  return (
    <Section id="education-audit" title={T.school.audit}>
      <Stack component="form" gap="sm" maw={560} onSubmit={(e) => void submit(e)}>
        <Text size="sm">{T.school.auditIntro}</Text>
        <TextInput label={T.school.room} required value={room} onChange={(e) => setRoom(e.currentTarget.value)} />
        <Textarea label={T.school.serials} autosize minRows={3} value={serials} onChange={(e) => setSerials(e.currentTarget.value)} />
        <Group>
          <Button type="submit">{T.school.runAudit}</Button>
        </Group>
        <NoticeLine notice={notice} />
        {report && report.missing.length > 0 && (
          <Text size="sm">
            <strong>{T.school.missing} :</strong> {report.missing.map((m) => m.serial).join(', ')}
          </Text>
        )}
        {report && report.unexpected.length > 0 && (
          <Text size="sm">
            <strong>{T.school.unexpected} :</strong> {report.unexpected.map((u) => `${u.serial} (${u.registeredAt})`).join(', ')}
          </Text>
        )}
      </Stack>
    </Section>
  );
}

function RepairSection() {
  const queryClient = useQueryClient();
  const [serial, setSerial] = useState('');
  const [kind, setKind] = useState<string | null>('broken');
  const [description, setDescription] = useState('');
  const [notice, setNotice] = useState<Notice>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    try {
      const asset = await api<Asset>(`/api/education/assets/by-serial/${encodeURIComponent(serial.trim())}`);
      await api('/api/education/repairs', { method: 'POST', body: { assetId: asset.id, kind, description } });
      setNotice({ tone: 'ok', text: T.school.reported(asset.serial) });
      setSerial('');
      setDescription('');
      await queryClient.invalidateQueries({ queryKey: ['education'] });
    } catch (e) {
      setNotice({ tone: 'error', text: errorMessage(e) });
    }
  }
  return (
    <Section id="education-repair" title={T.school.repair}>
      <Stack component="form" gap="sm" maw={560} onSubmit={(e) => void submit(e)}>
        <TextInput label={T.school.serial} required value={serial} onChange={(e) => setSerial(e.currentTarget.value)} />
        <Select label={T.school.kind} required data={Object.entries(T.repairKinds).map(([value, label]) => ({ value, label }))} value={kind} onChange={setKind} allowDeselect={false} />
        <Textarea label={T.school.description} required minLength={3} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
        <Group>
          <Button type="submit">{T.school.report}</Button>
        </Group>
        <NoticeLine notice={notice} />
      </Stack>
    </Section>
  );
}

function LicencesSection({ schoolId }: { schoolId: string }) {
  const canExport = usePermission('education_pupil');
  const { data, error, refetch } = useQuery({ queryKey: ['education', 'licences', schoolId], queryFn: () => api<LicencePool[]>(`/api/education/schools/${schoolId}/licences`) });
  return (
    <Section id="education-licences" title={T.school.licences}>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {data && (
        <Table striped maw={640}>
          <Table.Thead>
            <Table.Tr>
              {Object.values(T.school.licenceColumns).map((label) => (
                <Table.Th key={label}>{label}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.map((l) => (
              <Table.Tr key={l.profile}>
                <Table.Td>{T.profiles[l.profile] ?? l.profile}</Table.Td>
                <Table.Td>{formatNumber(l.needed)}</Table.Td>
                <Table.Td>
                  {formatNumber(l.purchased)}{' '}
                  {l.purchased < l.needed && (
                    <Badge color={TONE.warning} variant="filled" tt="none">
                      −{formatNumber(l.needed - l.purchased)}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>{formatNumber(l.allocated)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {canExport && (
        <Anchor href={`/api/education/schools/${schoolId}/provisioning.csv`} mt="xs" display="inline-block">
          {T.school.provisioning}
        </Anchor>
      )}
    </Section>
  );
}

function RolloverSection({ schoolId }: { schoolId: string }) {
  const queryClient = useQueryClient();
  const [year, setYear] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const years = useQuery({ queryKey: ['education', 'years'], queryFn: () => api<{ id: string; startDate: string }[]>('/api/education/school-years') });
  const checklist = useQuery({ queryKey: ['education', 'checklist', schoolId], queryFn: () => api<Checklist | null>(`/api/education/schools/${schoolId}/rollover-checklist`) });
  const today = new Date().toISOString().slice(0, 10);
  const next = (years.data ?? []).filter((y) => y.startDate > today).map((y) => y.id);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    try {
      const [summary] = await api<Checklist['summary'][]>('/api/education/rollover', { method: 'POST', body: { toYear: year, schoolId } });
      setNotice({ tone: 'ok', text: T.school.rolloverDone(summary!) });
      await queryClient.invalidateQueries({ queryKey: ['education'] });
    } catch (e) {
      setNotice({ tone: 'error', text: errorMessage(e) });
    }
  }
  return (
    <Section id="education-rollover" title={T.school.rollover}>
      <Stack component="form" gap="sm" maw={560} onSubmit={(e) => void submit(e)}>
        <Text size="sm">{T.school.rolloverIntro}</Text>
        <Select label={T.school.rolloverTo} required data={next} value={year} onChange={setYear} />
        <Group>
          <Button type="submit" disabled={!year}>
            {T.school.runRollover}
          </Button>
        </Group>
        <NoticeLine notice={notice} />
      </Stack>
      {checklist.data && (
        <>
          <Title order={3} fz="h5" mt="md" mb="xs">
            {T.school.checklist(checklist.data.summary.toYear)}
          </Title>
          <ul>
            {checklist.data.items.map((i, n) => (
              <li key={n}>
                {i.label} — <strong>{i.done ? T.school.done : T.school.todo}</strong>
              </li>
            ))}
          </ul>
        </>
      )}
    </Section>
  );
}

export function SchoolPage() {
  const { id = '' } = useParams();
  const canPupils = usePermission('education_pupil');
  const canRollover = usePermission('education_pupil', 'update');
  const canReport = usePermission('education_repair', 'create');
  const canFleet = usePermission('education_asset');
  const canLicences = usePermission('education_licence');
  const { data, error, refetch } = useQuery({ queryKey: ['education', 'school', id], queryFn: () => api<School>(`/api/education/schools/${id}`) });
  if (error) return <LoadError error={error} onRetry={() => void refetch()} />;
  if (!data) return <Loading />;
  return (
    <>
      <PageHeader title={T.school.title(data.name)}>
        <Text>{T.school.uai(data.uai)}</Text>
      </PageHeader>
      <Stack gap="xl">
        <ClassesSection schoolId={id} />
        {canPupils && <PupilsSection schoolId={id} />}
        {canFleet && <FleetSection schoolId={id} />}
        {canFleet && <RoomAuditSection schoolId={id} />}
        {canReport && <RepairSection />}
        {canLicences && <LicencesSection schoolId={id} />}
        {canRollover && <RolloverSection schoolId={id} />}
      </Stack>
    </>
  );
}
