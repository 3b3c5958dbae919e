import { useState } from 'react';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { api } from '../../../app/api';
import { formatDateTime, ListFooter, LoadError, Loading, PageHeader } from '../../../app/components';
import { usePermission } from '../../../app/session';
import type { Page } from '../../../app/types';
import { T } from '../strings';
import type { Segment } from '../types';
import { isoOf, ReasonForm, SegmentsTable, sitesOf, useCameras } from './common';

const V = T.recordings;

/** Asks the reason, which the register keeps, then plays the clip through the short-lived link the API gives. */
function ViewDialog({ segment, onClose }: { segment: Segment | null; onClose: () => void }) {
  const view = useMutation({ mutationFn: ({ id, reason }: { id: string; reason: string }) => api<{ url: string; expiresAt: string }>(`/api/evidence/segments/${id}/view`, { method: 'POST', body: { reason } }) });
  const close = () => {
    view.reset();
    onClose();
  };
  return (
    <Modal opened={segment !== null} onClose={close} title={segment ? V.viewTitle(`${segment.cameraCode} — ${segment.cameraName}`) : ''} closeButtonProps={{ 'aria-label': V.close }} size="xl">
      {segment && !view.data && (
        <ReasonForm id="view-reason" intro={`${V.viewIntro} (${formatDateTime(segment.from)} – ${formatDateTime(segment.to)})`} submitLabel={V.viewSubmit} pending={view.isPending} error={view.error} onSubmit={(reason) => view.mutate({ id: segment.id, reason })} onCancel={close} />
      )}
      {segment && view.data && (
        <Stack gap="sm">
          <video src={view.data.url} controls autoPlay muted playsInline style={{ width: '100%', background: '#000' }} aria-label={V.video(segment.cameraCode, formatDateTime(segment.from))} data-testid="clip" />
          <Text size="sm">{V.expires(formatDateTime(view.data.expiresAt))}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {V.close}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

export function RecordingsPage() {
  const cameras = useCameras(usePermission('security_device'));
  const [siteId, setSiteId] = useState<string | null>(null);
  const [cameraId, setCameraId] = useState<string | null>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [page, setPage] = useState(1);
  const [viewing, setViewing] = useState<Segment | null>(null);
  const query = { siteId, cameraId, from: isoOf(from), to: isoOf(to), page, pageSize: 50, sort: '-from' };
  const { data, error, refetch, isFetching } = useQuery({
    queryKey: ['evidence', 'segments', query],
    queryFn: () => api<Page<Segment>>('/api/evidence/segments', { query }),
    placeholderData: keepPreviousData,
  });
  const siteCameras = (cameras.data ?? []).filter((c) => !siteId || c.siteId === siteId).map((c) => ({ value: c.id, label: `${c.code} — ${c.name}` }));
  const filter = <Value,>(setter: (value: Value) => void) => (value: Value) => {
    setter(value);
    setPage(1);
  };
  return (
    <>
      <PageHeader title={V.title}>
        <Text>{V.intro}</Text>
      </PageHeader>
      <Group mb="md" align="flex-end" role="search" wrap="wrap">
        <Select label={V.site} data={sitesOf(cameras.data ?? [])} value={siteId} onChange={(v) => { filter(setSiteId)(v); setCameraId(null); }} clearable searchable placeholder={V.all} w={260} />
        <Select label={V.camera} data={siteCameras} value={cameraId} onChange={filter(setCameraId)} clearable searchable placeholder={V.all} w={300} />
        <TextInput label={V.from} type="datetime-local" value={from} onChange={(e) => filter(setFrom)(e.currentTarget.value)} w={220} />
        <TextInput label={V.to} type="datetime-local" value={to} onChange={(e) => filter(setTo)(e.currentTarget.value)} w={220} />
      </Group>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && data.total === 0 && <Text>{V.empty}</Text>}
      {data && data.total > 0 && (
        <div aria-busy={isFetching}>
          <SegmentsTable segments={data.items} label={V.title} testId="recordings-table" onView={setViewing} />
          <ListFooter total={data.total} page={data.page} pageSize={data.pageSize} onPage={setPage} />
        </div>
      )}
      <ViewDialog segment={viewing} onClose={() => setViewing(null)} />
    </>
  );
}
