import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Anchor, Table, Text } from '@mantine/core';
import { api } from '../../../app/api';
import { LoadError, Loading, PageHeader, formatNumber } from '../../../app/components';
import { T } from '../strings';
import type { School } from '../types';

export function SchoolsPage() {
  const { data, error, refetch } = useQuery({ queryKey: ['education', 'schools'], queryFn: () => api<School[]>('/api/education/schools') });
  return (
    <>
      <PageHeader title={T.schools.title}>
        <Text>{T.schools.intro}</Text>
      </PageHeader>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && data.length === 0 && <Text>{T.schools.none}</Text>}
      {data && data.length > 0 && (
        <Table striped data-testid="schools-table">
          <Table.Thead>
            <Table.Tr>
              {Object.values(T.schools.columns).map((label) => (
                <Table.Th key={label}>{label}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/education/ecoles/${s.id}`}>
                    {s.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{s.uai}</Table.Td>
                <Table.Td>{formatNumber(s.pupils)}</Table.Td>
                <Table.Td>{formatNumber(s.classes)}</Table.Td>
                <Table.Td>{formatNumber(s.assets)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </>
  );
}
