import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Anchor, Badge, Stack, Table, Text, Title } from '@mantine/core';
import { api } from '../../../app/api';
import { LoadError, Loading, PageHeader, formatDate, formatNumber } from '../../../app/components';
import { T } from '../strings';
import type { HistoryPoint } from '../types';

interface History {
  insee: string;
  name: string;
  designated: boolean;
  points: HistoryPoint[];
}

/** A plain SVG line of the share connectable over time; the table below carries the same figures in text. */
function ShareChart({ points, label }: { points: HistoryPoint[]; label: string }) {
  const width = 640;
  const height = 220;
  const pad = 36;
  const xs = points.map((_, i) => pad + (points.length > 1 ? (i * (width - 2 * pad)) / (points.length - 1) : (width - 2 * pad) / 2));
  const y = (share: number) => height - pad - share * (height - 2 * pad);
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${xs[i]},${y(p.shareConnectable ?? 0)}`).join(' ');
  return (
    <svg role="img" aria-label={label} viewBox={`0 0 ${width} ${height}`} style={{ width: '100%', maxWidth: width }}>
      {[0, 0.5, 1].map((v) => (
        <g key={v}>
          <line x1={pad} x2={width - pad} y1={y(v)} y2={y(v)} stroke="#dee2e6" />
          <text x={4} y={y(v) + 4} fontSize="11">
            {v * 100} %
          </text>
        </g>
      ))}
      <path d={path} fill="none" stroke="#2b8a3e" strokeWidth={2.5} />
      {points.map((p, i) => (
        <circle key={p.date} cx={xs[i]} cy={y(p.shareConnectable ?? 0)} r={3.5} fill="#2b8a3e" />
      ))}
      {points.length > 0 && (
        <>
          <text x={pad} y={height - 10} fontSize="11">
            {formatDate(points[0]!.date)}
          </text>
          <text x={width - pad} y={height - 10} fontSize="11" textAnchor="end">
            {formatDate(points.at(-1)!.date)}
          </text>
        </>
      )}
    </svg>
  );
}

export function FibreCommunePage() {
  const { insee = '' } = useParams();
  const { data, error, refetch } = useQuery({ queryKey: ['fibre', 'commune', insee], queryFn: () => api<History>(`/api/fibre/communes/${insee}`) });
  if (error) return <LoadError error={error} onRetry={() => void refetch()} />;
  if (!data) return <Loading />;
  const points = data.points.filter((p) => p.dwellings > 0);
  return (
    <>
      <PageHeader title={T.commune.title(data.name)}>
        <Badge variant="light">{data.designated ? T.commune.designated : T.commune.notDesignated}</Badge>
      </PageHeader>
      <Stack gap="lg">
        {points.length === 0 ? (
          <Text>{T.commune.none}</Text>
        ) : (
          <>
            <section aria-labelledby="fibre-chart">
              <Title order={2} fz="h4" id="fibre-chart" mb="xs">
                {T.commune.chart}
              </Title>
              <ShareChart points={points} label={T.commune.chartLabel(data.name)} />
            </section>
            <section aria-labelledby="fibre-points">
              <Title order={2} fz="h4" id="fibre-points" mb="xs">
                {T.commune.table}
              </Title>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{T.commune.columns.date}</Table.Th>
                    <Table.Th>{T.commune.columns.dwellings}</Table.Th>
                    <Table.Th>{T.commune.columns.connectable}</Table.Th>
                    <Table.Th>{T.commune.columns.share}</Table.Th>
                    <Table.Th>{T.commune.columns.change}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {points.map((p) => (
                    <Table.Tr key={p.date}>
                      <Table.Td>{formatDate(p.date)}</Table.Td>
                      <Table.Td>{formatNumber(p.dwellings)}</Table.Td>
                      <Table.Td>{formatNumber(p.connectableDwellings)}</Table.Td>
                      <Table.Td>{T.share(p.shareConnectable)}</Table.Td>
                      <Table.Td>{p.change ? T.signed(p.change.connectableDwellings) : '—'}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </section>
          </>
        )}
        <Anchor component={Link} to="/fibre">
          {T.commune.back}
        </Anchor>
      </Stack>
    </>
  );
}
