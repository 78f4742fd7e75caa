import AssignmentIcon from '@mui/icons-material/Assignment';
import { TaskList } from './TaskList';
import { TaskShow } from './TaskShow';

export const tasks = { name: 'tasks', list: TaskList, show: TaskShow, icon: AssignmentIcon };
