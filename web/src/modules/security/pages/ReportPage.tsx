import { useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { api } from '../../../app/api';
import { formatDateTime, LoadError, Loading, PageHeader } from '../../../app/components';
import { T, typeLabel } from '../strings';
import type { AlarmDetail } from '../types';
import { HistoryTable } from './AlarmPage';
import { LinkedRequisitions } from '../../evidence/LinkedRequisitions';
import '../security.css';

/** The incident report of a qualified or closed alarm, laid out for printing. */
export function ReportPage() {
  const { id } = useParams();
  const { data, error, refetch } = useQuery({ queryKey: ['security', 'alarm', id], queryFn: () => api<AlarmDetail>(`/api/security/alarms/${id}`) });
  if (error) return <LoadError error={error} onRetry={() => void refetch()} />;
  if (!data) return <Loading />;
  const a = data.alarm;
  const q = a.qualificationDetails ?? {};
  const police = q.police as { calledAt: string; reference: string; outcome: string } | undefined;
  return (
    <>
      <PageHeader
        title={T.report.title(a.title)}
        actions={
          <Group className="no-print">
            <Button onClick={() => window.print()}>{T.report.print}</Button>
          </Group>
        }
      >
        <Text>
          {a.siteName} — {typeLabel(a.type)} — {T.priorityLabel(a.priority)} — {T.states[a.state]}
        </Text>
      </PageHeader>
      <Stack gap="lg">
        <section aria-labelledby="r-timeline">
          <Title order={2} fz="h4" id="r-timeline" mb="xs">
            {T.report.timeline}
          </Title>
          <Table>
            <Table.Tbody>
              {[
                [T.alarm.firstAt, a.firstEventAt],
                [T.alarm.lastAt, a.lastEventAt],
                [T.alarm.actions.take, a.takenAt],
                [T.alarm.actions.verify, a.verificationAt],
                [T.alarm.actions.qualify, a.qualifiedAt],
                [T.alarm.actions.close, a.closedAt],
              ].map(([label, at]) => (
                <Table.Tr key={label}>
                  <Table.Th scope="row">{label}</Table.Th>
                  <Table.Td>{formatDateTime(at ?? null)}</Table.Td>
                </Table.Tr>
              ))}
              <Table.Tr>
                <Table.Th scope="row">{T.alarm.events}</Table.Th>
                <Table.Td>{a.eventCount}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{T.alarm.takenBy}</Table.Th>
                <Table.Td>{a.takenByLabel ?? '—'}</Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
        </section>
        <section aria-labelledby="r-qualification">
          <Title order={2} fz="h4" id="r-qualification" mb="xs">
            {T.report.qualification}
          </Title>
          <Text fw={600}>{a.qualification ? T.qualifications[a.qualification] : '—'}</Text>
          {typeof q.cause === 'string' && <Text>{T.alarm.cause} : {q.cause}</Text>}
          {typeof q.fault === 'string' && <Text>{T.alarm.fault} : {q.fault}</Text>}
          {police && (
            <Text>
              {T.alarm.policeAt} : {formatDateTime(police.calledAt)} — {T.alarm.policeRef} : {police.reference} — {T.alarm.policeOutcome} : {police.outcome}
            </Text>
          )}
          {typeof q.notes === 'string' && <Text>{T.alarm.notes} : {q.notes}</Text>}
          {data.tickets.map((k) => (
            <Text key={k.id}>
              {T.alarm.tickets} : {k.description} ({k.status})
            </Text>
          ))}
        </section>
        <section aria-labelledby="r-report">
          <Title order={2} fz="h4" id="r-report" mb="xs">
            {T.report.report}
          </Title>
          <Text style={{ whiteSpace: 'pre-wrap' }}>{a.report ?? '—'}</Text>
        </section>
        <section aria-labelledby="r-actions">
          <Title order={2} fz="h4" id="r-actions" mb="xs">
            {T.report.actions}
          </Title>
          <HistoryTable history={data.history} />
        </section>
        <section aria-labelledby="r-evidence">
          <Title order={2} fz="h4" id="r-evidence" mb="xs">
            {T.report.evidence}
          </Title>
          <LinkedRequisitions siteId={a.siteId} from={a.firstEventAt} to={a.closedAt ?? a.lastEventAt} empty={T.report.noEvidence} />
        </section>
        <Text size="sm" c="dimmed">
          {T.report.generated(formatDateTime(new Date().toISOString()))}
        </Text>
      </Stack>
    </>
  );
}
