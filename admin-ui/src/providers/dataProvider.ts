import simpleRestProvider from 'ra-data-simple-rest';
import { httpClient } from './http';

/** The API speaks ra-data-simple-rest's dialect (range, sort, filter as JSON; Content-Range). */
export const dataProvider = simpleRestProvider('/api', httpClient);
