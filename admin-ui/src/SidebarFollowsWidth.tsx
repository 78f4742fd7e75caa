/**
 * The menu follows the window's width: react-admin keeps the menu's open state from the start, so a
 * desktop window narrowed to phone width (< 600 px) showed the open menu as a modal drawer over the
 * page – the page behind it unreachable, also for screen readers. Narrowed, the menu closes;
 * widened again, it opens. The first render keeps the user's stored choice.
 */
import { useEffect, useRef } from 'react';
import { useSidebarState } from 'react-admin';
import { type Theme, useMediaQuery } from '@mui/material';

export function SidebarFollowsWidth() {
  const phone = useMediaQuery((t: Theme) => t.breakpoints.down('sm'), { noSsr: true });
  const [, setOpen] = useSidebarState();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    setOpen(!phone);
    // Only a change of the width class matters.
  }, [phone]);
  return null;
}
