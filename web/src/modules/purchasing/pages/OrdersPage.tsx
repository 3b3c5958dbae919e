import { useState } from 'react';
import { Link } from 'react-router';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Anchor, Badge, Group, NativeSelect, Table, Text, TextInput } from '@mantine/core';
import { api } from '../../../app/api';
import { ListFooter, LoadError, Loading, PageHeader, formatDate } from '../../../app/components';
import { useMemberScope } from '../../../app/session';
import { TONE } from '../../../app/theme';
import type { Page } from '../../../app/types';
import { T } from '../strings';
import type { OrderStatus, OrderSummary } from '../types';

export function StatusBadge({ status }: { status: OrderStatus }) {
  const color = status === 'closed' || status === 'delivered' || status === 'invoiced' ? TONE.success : status === 'cancelled' ? 'gray.8' : status === 'submitted' ? TONE.warning : 'blue.8';
  return (
    <Badge variant="filled" tt="none" color={color}>
      {T.status[status]}
    </Badge>
  );
}

function OrderList({ title, intro, fixedStatus }: { title: string; intro: string; fixedStatus?: OrderStatus }) {
  const memberId = useMemberScope();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<string>(fixedStatus ?? '');
  const [page, setPage] = useState(1);
  const { data, error, refetch } = useQuery({
    queryKey: ['purchasing', 'orders', memberId, q, status, page],
    queryFn: () => api<Page<OrderSummary>>('/api/purchasing/orders', { query: { memberId, q, status, page, pageSize: 25, ...(fixedStatus && { sort: 'createdAt' }) } }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader title={title}>
        <Text>{intro}</Text>
      </PageHeader>
      <Group mb="sm" align="flex-end">
        <TextInput label={T.orders.search} type="search" value={q} onChange={(e) => { setQ(e.currentTarget.value); setPage(1); }} w={320} />
        {!fixedStatus && (
          <NativeSelect
            label={T.orders.status}
            value={status}
            onChange={(e) => { setStatus(e.currentTarget.value); setPage(1); }}
            data={[{ value: '', label: T.orders.allStatuses }, ...Object.entries(T.status).map(([value, label]) => ({ value, label }))]}
          />
        )}
      </Group>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && (
        <>
          <Table striped data-testid="orders-table">
            <Table.Thead>
              <Table.Tr>
                {Object.values(T.orders.columns).map((label) => (
                  <Table.Th key={label}>{label}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((o) => (
                <Table.Tr key={o.id}>
                  <Table.Td>{formatDate(o.createdAt)}</Table.Td>
                  <Table.Td>{o.number ?? T.orders.draftNumber}</Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/achats/commandes/${o.id}`}>
                      {o.title}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{o.memberName}</Table.Td>
                  <Table.Td>{T.lots[o.lotCode]}</Table.Td>
                  <Table.Td>{T.money(o.totalExclVat)}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={o.status} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <ListFooter total={data.total} page={data.page} pageSize={data.pageSize} onPage={setPage} />
        </>
      )}
    </>
  );
}

export function OrdersPage() {
  return <OrderList title={T.orders.title} intro={T.orders.intro} />;
}

/** The SMO's queue: orders submitted by members, oldest first. */
export function ValidationQueuePage() {
  return <OrderList title={T.orders.queueTitle} intro={T.orders.queueIntro} fixedStatus="submitted" />;
}
