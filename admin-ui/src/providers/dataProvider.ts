import type { DataProvider, GetListParams } from 'react-admin';
import simpleRestProvider from 'ra-data-simple-rest';
import { httpClient } from './http';

/** The API speaks ra-data-simple-rest's dialect (range, sort, filter as JSON; Content-Range). */
const rest = simpleRestProvider('/api', httpClient);

/**
 * The inbox list counts at most 1000 rows from the page on (no full count on 100k tasks): the
 * header X-Total-Capped says the Content-Range total is a lower bound. It reaches the list as
 * `meta.totalCapped` ("mehr als …").
 */
async function getTaskList(params: GetListParams) {
  const { page, perPage } = params.pagination ?? { page: 1, perPage: 25 };
  const { field, order } = params.sort ?? { field: 'createdAt', order: 'DESC' };
  const query = new URLSearchParams({
    sort: JSON.stringify([field, order]),
    range: JSON.stringify([(page - 1) * perPage, page * perPage - 1]),
    filter: JSON.stringify(params.filter ?? {}),
  });
  const { headers, json } = await httpClient(`/api/tasks?${query}`, { signal: params.signal });
  const total = parseInt(headers.get('content-range')?.split('/').pop() ?? '', 10);
  return { data: json, total: Number.isNaN(total) ? json.length : total, meta: { totalCapped: headers.get('x-total-capped') === 'true' } };
}

export const dataProvider: DataProvider = {
  ...rest,
  getList: (resource, params) => (resource === 'tasks' ? getTaskList(params) : rest.getList(resource, params)),
};
