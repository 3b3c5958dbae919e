import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Text } from '@mantine/core';
import { api } from '../../../app/api';
import { ListFooter, LoadError, Loading, PageHeader } from '../../../app/components';
import type { Page } from '../../../app/types';
import { T } from '../strings';
import type { Segment } from '../types';
import { SegmentsTable } from './common';

const H = T.holds;

/** Every segment an open requisition keeps from deletion. */
export function HoldsPage() {
  const [page, setPage] = useState(1);
  const { data, error, refetch } = useQuery({
    queryKey: ['evidence', 'segments', 'held', page],
    queryFn: () => api<Page<Segment>>('/api/evidence/segments', { query: { held: true, page, pageSize: 50, sort: 'camera' } }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader title={H.title}>
        <Text>{H.intro}</Text>
      </PageHeader>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && data.total === 0 && <Text>{H.empty}</Text>}
      {data && data.total > 0 && (
        <>
          <SegmentsTable segments={data.items} label={H.title} testId="holds-table" />
          <ListFooter total={data.total} page={data.page} pageSize={data.pageSize} onPage={setPage} />
        </>
      )}
    </>
  );
}
