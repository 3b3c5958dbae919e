import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Anchor, Badge, Button, List, Stack, Table, Text, Title } from '@mantine/core';
import { api } from '../../../app/api';
import { formatDateTime, LoadError, Loading, PageHeader } from '../../../app/components';
import { TONE } from '../../../app/theme';
import { euros, T } from '../strings';
import type { Study } from '../types';
import '../security.css';

const S = T.studies;
const levelColor = (score: number) => (score >= 12 ? 'red.9' : score >= 8 ? TONE.warning : score >= 4 ? '#7a5200' : TONE.success);

export function StudiesPage() {
  const { data, error, refetch } = useQuery({ queryKey: ['security', 'studies'], queryFn: () => api<Study[]>('/api/security/studies') });
  return (
    <>
      <PageHeader title={S.title}>
        <Text>{S.intro}</Text>
      </PageHeader>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && data.length === 0 && <Text>{S.empty}</Text>}
      {data && data.length > 0 && (
        <Table striped aria-label={S.title}>
          <Table.Thead>
            <Table.Tr>
              {Object.values(S.columns).map((l) => (
                <Table.Th key={l}>{l}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.map((s) => (
              <Table.Tr key={s.siteId}>
                <Table.Td>
                  <Anchor component={Link} to={`/securite/etudes/${s.siteId}`}>
                    {s.siteName}
                  </Anchor>
                </Table.Td>
                <Table.Td>{s.risks.length}</Table.Td>
                <Table.Td>{s.measures.length}</Table.Td>
                <Table.Td>{euros(s.totalCostEuros)}</Table.Td>
                <Table.Td>{formatDateTime(s.updatedAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </>
  );
}

/** A site's study, laid out for printing: context, threats, risk matrix, risks, measures. */
export function StudyPage() {
  const { siteId } = useParams();
  const { data, error, refetch } = useQuery({ queryKey: ['security', 'study', siteId], queryFn: () => api<Study>(`/api/security/studies/${siteId}`) });
  if (error) return <LoadError error={error} onRetry={() => void refetch()} />;
  if (!data) return <Loading />;
  const threat = (id: string) => data.threats.find((t) => t.id === id)?.label ?? id;
  return (
    <>
      <PageHeader title={S.study(data.siteName)} actions={<Button className="no-print" onClick={() => window.print()}>{S.print}</Button>}>
        <Text size="sm">{S.updated(formatDateTime(data.updatedAt), data.updatedBy)}</Text>
      </PageHeader>
      <Stack gap="lg">
        <section aria-labelledby="st-summary">
          <Title order={2} fz="h4" id="st-summary" mb="xs">
            {S.summary}
          </Title>
          <Text>{data.summary}</Text>
        </section>
        <section aria-labelledby="st-threats">
          <Title order={2} fz="h4" id="st-threats" mb="xs">
            {S.threats}
          </Title>
          <List>
            {data.threats.map((t) => (
              <List.Item key={t.id}>
                <strong>
                  {t.id} — {t.label}
                </strong>
                {t.description && ` : ${t.description}`}
              </List.Item>
            ))}
          </List>
        </section>
        <section aria-labelledby="st-matrix">
          <Title order={2} fz="h4" id="st-matrix" mb="xs">
            {S.matrix}
          </Title>
          <Table withTableBorder withColumnBorders maw={560}>
            <caption style={{ captionSide: 'bottom', textAlign: 'left', fontSize: 'var(--mantine-font-size-sm)' }}>{S.matrixCaption}</caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">
                  {S.likelihood} / {S.impact}
                </Table.Th>
                {[1, 2, 3, 4].map((i) => (
                  <Table.Th key={i} scope="col">
                    {S.impact} {i}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {[4, 3, 2, 1].map((l) => (
                <Table.Tr key={l}>
                  <Table.Th scope="row">
                    {S.likelihood} {l}
                  </Table.Th>
                  {[1, 2, 3, 4].map((i) => (
                    <Table.Td key={i} data-score={l * i}>
                      {data.matrix[l - 1]![i - 1]!.map((id) => (
                        <Badge key={id} variant="filled" color={levelColor(l * i)} tt="none" mr={4}>
                          {id}
                        </Badge>
                      ))}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </section>
        <section aria-labelledby="st-risks">
          <Title order={2} fz="h4" id="st-risks" mb="xs">
            {S.risks}
          </Title>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                {Object.values(S.riskColumns).map((l) => (
                  <Table.Th key={l}>{l}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.risks.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>{r.id}</Table.Td>
                  <Table.Td>{threat(r.threatId)}</Table.Td>
                  <Table.Td>{r.vulnerability}</Table.Td>
                  <Table.Td>{r.likelihood}</Table.Td>
                  <Table.Td>{r.impact}</Table.Td>
                  <Table.Td>
                    <Badge variant="filled" color={levelColor(r.likelihood * r.impact)} tt="none">
                      {S.level(r.likelihood * r.impact)} ({r.likelihood * r.impact})
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </section>
        <section aria-labelledby="st-measures">
          <Title order={2} fz="h4" id="st-measures" mb="xs">
            {S.measures}
          </Title>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                {Object.values(S.measureColumns).map((l) => (
                  <Table.Th key={l}>{l}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.measures.map((m) => (
                <Table.Tr key={m.id}>
                  <Table.Td>{m.id}</Table.Td>
                  <Table.Td>{m.label}</Table.Td>
                  <Table.Td>{m.riskIds.join(', ')}</Table.Td>
                  <Table.Td>{euros(m.costEuros)}</Table.Td>
                  <Table.Td>{S.statuses[m.status] ?? m.status}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text fw={600} mt="sm">
            {S.total(euros(data.totalCostEuros))}
          </Text>
        </section>
      </Stack>
    </>
  );
}
